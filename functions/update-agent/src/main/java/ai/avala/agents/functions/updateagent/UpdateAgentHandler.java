package ai.avala.agents.functions.updateagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.config.Environment;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.service.AgentChanges;

/** {@code PATCH /api/v1/agents/{uid}/}: changes only the fields sent. */
public final class UpdateAgentHandler extends ApiFunction {

    private final AgentService agents;

    public UpdateAgentHandler() {
        this(Environment.system());
    }

    public UpdateAgentHandler(Environment env) {
        this(AgentService.fromEnvironment(env));
    }

    public UpdateAgentHandler(AgentService agents) {
        this.agents = agents;
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        AgentChanges changes = AgentChanges.parse(request.body(), false);
        return ApiResponses.json(200, agents.update(tenant, uid, changes).toJson(false));
    }
}
