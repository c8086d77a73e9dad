package ai.avala.agents.functions.redeliverexecution;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.RedeliveryService;
import ai.avala.agents.wiring.Wiring;

/**
 * {@code POST /api/v1/agents/{uid}/executions/{execution_uid}/redeliver/}: one more attempt of a finished
 * execution, now, with the same {@code webhook-id}; 202 with the execution, running until the attempt ends.
 */
public final class RedeliverExecutionHandler extends ApiFunction {

    private final RedeliveryService redeliveries;

    public RedeliverExecutionHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public RedeliverExecutionHandler(Wiring wiring) {
        this.redeliveries = wiring.redeliveries();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String agentUid = request.agentUid();
        String executionUid = request.executionUid();
        return ApiResponses.json(
                202, redeliveries.redeliver(tenant, agentUid, executionUid).toJson());
    }
}
