package ai.avala.agents.functions.listexecutions;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.model.Execution;
import ai.avala.agents.paging.PageRequest;
import ai.avala.agents.service.AgentListings;
import ai.avala.agents.wiring.Wiring;

/** {@code GET /api/v1/agents/{uid}/executions/}: an agent's executions, newest first, optionally by {@code status}. */
public final class ListExecutionsHandler extends ApiFunction {

    private final AgentListings listings;

    public ListExecutionsHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public ListExecutionsHandler(Wiring wiring) {
        this.listings = wiring.listings();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        // avala-agents' TaskAgent polls with its agent's project and task_types too: accepted, and unused (the
        // agent's executions are already those of its subscriptions).
        PageRequest page = request.page("status", "project", "task_types");
        var executions = listings.executions(tenant, uid, request.query("status"), page);
        return ApiResponses.page(request, executions, Execution::toJson);
    }
}
