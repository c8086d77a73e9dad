package ai.avala.agents.functions.listagents;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.model.Agent;
import ai.avala.agents.paging.PageRequest;
import ai.avala.agents.service.AgentListings;
import ai.avala.agents.wiring.Wiring;

/** {@code GET /api/v1/agents/}: the caller's agents, newest first, one page at a time. */
public final class ListAgentsHandler extends ApiFunction {

    private final AgentListings listings;

    public ListAgentsHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public ListAgentsHandler(Wiring wiring) {
        this.listings = wiring.listings();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        PageRequest page = request.page();
        return ApiResponses.page(request, listings.agents(tenant, page), Agent::toJson);
    }
}
