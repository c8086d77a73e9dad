package ai.avala.agents.functions.testagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponse;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.service.AgentTestCalls;
import ai.avala.agents.service.TestCallRequest;
import ai.avala.agents.wiring.Wiring;

/**
 * {@code POST /api/v1/agents/{uid}/test/}: sends a real signed callback (the catalog's example of an event type the
 * agent matches, marked {@code "test": true}) and records it.
 */
public final class TestAgentHandler extends ApiFunction {

    private final AgentTestCalls testCalls;

    public TestAgentHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public TestAgentHandler(Wiring wiring) {
        this.testCalls = wiring.testCalls();
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        TestCallRequest call = TestCallRequest.parse(request.body());
        return ApiResponses.json(
                200, testCalls.test(tenant, uid, call.eventType()).toJson());
    }
}
