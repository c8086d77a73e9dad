package ai.avala.agents.functions.redeliverfailed;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.RedeliveryService;
import ai.avala.agents.service.ReplayWindow;
import ai.avala.agents.wiring.Wiring;
import java.util.Map;

/**
 * {@code POST /api/v1/agents/{uid}/redeliver-failed/} with {@code {"since", "until"?}}: one more attempt of
 * each failed execution of the agent whose event occurred in that window (at most 7 days back; test calls
 * left out); 202 with {@code {"queued": n}}.
 */
public final class RedeliverFailedHandler extends ApiFunction {

    private final RedeliveryService redeliveries;

    public RedeliverFailedHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public RedeliverFailedHandler(Wiring wiring) {
        this.redeliveries = wiring.redeliveries();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String agentUid = request.agentUid();
        ReplayWindow window = ReplayWindow.parse(request.body());
        return ApiResponses.json(202, Map.of("queued", redeliveries.redeliverFailed(tenant, agentUid, window)));
    }
}
