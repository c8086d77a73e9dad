package ai.avala.agents.functions.deleteagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;

/** {@code DELETE /api/v1/agents/{uid}/}: removes the agent and its subscriptions. */
public final class DeleteAgentHandler extends ApiFunction {

    private final AgentService agents;

    public DeleteAgentHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public DeleteAgentHandler(Wiring wiring) {
        this.agents = wiring.agentService();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        agents.delete(tenant, uid);
        return ApiResponses.noContent();
    }
}
