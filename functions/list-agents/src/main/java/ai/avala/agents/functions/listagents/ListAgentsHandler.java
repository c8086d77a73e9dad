package ai.avala.agents.functions.listagents;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.config.Environment;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.PageRequest;

/** {@code GET /api/v1/agents/}: the caller's agents, newest first, one page at a time. */
public final class ListAgentsHandler extends ApiFunction {

    private final AgentService agents;

    public ListAgentsHandler() {
        this(Environment.system());
    }

    public ListAgentsHandler(Environment env) {
        this(AgentService.fromEnvironment(env));
    }

    public ListAgentsHandler(AgentService agents) {
        this.agents = agents;
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        PageRequest page = PageRequest.from(request);
        return ApiResponses.page(request, agents.list(tenant, page), agent -> agent.toJson(false));
    }
}
