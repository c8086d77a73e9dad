package ai.avala.agents.functions.updateagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;

/** {@code PATCH /api/v1/agents/{uid}/}: changes only the fields sent. */
public final class UpdateAgentHandler extends ApiFunction {

    private final AgentService agents;

    public UpdateAgentHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public UpdateAgentHandler(Wiring wiring) {
        this.agents = wiring.agentService();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        AgentChanges changes = AgentChanges.forUpdate(request.body());
        return ApiResponses.json(200, agents.update(tenant, uid, changes).toJson());
    }
}
