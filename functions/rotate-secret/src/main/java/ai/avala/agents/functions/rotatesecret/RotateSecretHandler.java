package ai.avala.agents.functions.rotatesecret;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.service.SecretRotation;
import ai.avala.agents.wiring.Wiring;

/**
 * {@code POST /api/v1/agents/{uid}/rotate-secret/} with {@code {"overlap_seconds"?}}: a new signing secret,
 * shown once; callbacks carry signatures by both secrets until the previous one expires.
 */
public final class RotateSecretHandler extends ApiFunction {

    private final AgentService agents;

    public RotateSecretHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public RotateSecretHandler(Wiring wiring) {
        this.agents = wiring.agentService();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        SecretRotation rotation = SecretRotation.parse(request.body());
        return ApiResponses.json(200, agents.rotateSecret(tenant, uid, rotation).toJson());
    }
}
