package ai.avala.agents.functions.listeventtypes;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.EventTypeListings;
import ai.avala.agents.wiring.Wiring;

/** {@code GET /api/v1/event-types/}: the event catalog (name, description, schema, example), one page at a time. */
public final class ListEventTypesHandler extends ApiFunction {

    private final EventTypeListings listings;

    public ListEventTypesHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public ListEventTypesHandler(Wiring wiring) {
        this.listings = wiring.eventTypeListings();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        // Authenticated like every operation: without the authorizer's tenant, 401.
        request.tenant();
        return ApiResponses.page(request, listings.page(request.page()), EventTypeListings::view);
    }
}
