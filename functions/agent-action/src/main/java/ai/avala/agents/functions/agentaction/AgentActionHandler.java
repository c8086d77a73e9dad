package ai.avala.agents.functions.agentaction;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentAction;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;

/** {@code POST /api/v1/agent-actions/}: a pull-mode agent's decision on one of its pending executions. */
public final class AgentActionHandler extends ApiFunction {

    private final AgentService agents;

    public AgentActionHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public AgentActionHandler(Wiring wiring) {
        this.agents = wiring.agentService();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        AgentAction decision = AgentAction.parse(request.body());
        return ApiResponses.json(200, agents.decide(tenant, decision).toJson());
    }
}
