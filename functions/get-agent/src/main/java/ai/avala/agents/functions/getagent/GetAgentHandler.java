package ai.avala.agents.functions.getagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;

/** {@code GET /api/v1/agents/{uid}/}: one agent of the caller. */
public final class GetAgentHandler extends ApiFunction {

    private final AgentService agents;

    public GetAgentHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public GetAgentHandler(Wiring wiring) {
        this.agents = wiring.agentService();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        return ApiResponses.json(200, agents.get(tenant, uid).toJson());
    }
}
