package ai.avala.agents.functions.createagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentRegistration;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;

/**
 * {@code POST /api/v1/agents/}: creates an agent (201, the only answer that shows its signing secret), or
 * registers again the tenant's pull-mode agent of the name sent (200, without the secret).
 */
public final class CreateAgentHandler extends ApiFunction {

    private final AgentService agents;

    public CreateAgentHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public CreateAgentHandler(Wiring wiring) {
        this.agents = wiring.agentService();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        AgentChanges fields = AgentChanges.forCreate(request.body());
        return switch (agents.register(tenant, fields)) {
            case AgentRegistration.Created created ->
                ApiResponses.json(201, created.agent().toJsonWithSecret());
            case AgentRegistration.Registered registered ->
                ApiResponses.json(200, registered.agent().toJson());
        };
    }
}
