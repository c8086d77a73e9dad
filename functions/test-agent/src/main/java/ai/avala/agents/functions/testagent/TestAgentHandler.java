package ai.avala.agents.functions.testagent;

import ai.avala.agents.api.ApiFunction;
import ai.avala.agents.api.ApiRequest;
import ai.avala.agents.api.ApiResponses;
import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.config.Environment;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.api.ApiResponse;


/** {@code POST /api/v1/agents/{uid}/test/}: sends a real signed {@code agent.test} callback and records it. */
public final class TestAgentHandler extends ApiFunction {

    private final AgentService agents;

    public TestAgentHandler() {
        this(Environment.system());
    }

    public TestAgentHandler(Environment env) {
        this(AgentService.fromEnvironment(env, CallbackDelivery.fromEnvironment(env)));
    }

    public TestAgentHandler(AgentService agents) {
        this.agents = agents;
    }

    @Override
    protected ApiResponse handle(ApiRequest request) {
        String tenant = request.tenant();
        String uid = request.agentUid();
        return ApiResponses.json(200, agents.test(tenant, uid).toJson());
    }
}
