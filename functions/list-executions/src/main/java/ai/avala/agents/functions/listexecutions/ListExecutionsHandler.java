package ai.avala.agents.functions.listexecutions;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.config.Environment;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.PageRequest;
import ai.avala.agents.model.Execution;

/** {@code GET /api/v1/agents/{uid}/executions/}: an agent's executions, newest first, optionally by {@code status}. */
public final class ListExecutionsHandler extends ApiFunction {

    private final AgentService agents;

    public ListExecutionsHandler() {
        this(Environment.system());
    }

    public ListExecutionsHandler(Environment env) {
        this(AgentService.fromEnvironment(env));
    }

    public ListExecutionsHandler(AgentService agents) {
        this.agents = agents;
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        PageRequest page = PageRequest.from(request);
        var executions = agents.listExecutions(tenant, uid, request.query("status"), page);
        return ApiResponses.page(request, executions, Execution::toJson);
    }
}
