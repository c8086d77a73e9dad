package ai.avala.agents.functions.getagent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GetAgentHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("GetAgentFunction", Map.of());
    private final GetAgentHandler handler = new GetAgentHandler(WIRING);
    private final AgentService agents = WIRING.agentService();

    private static APIGatewayProxyRequestEvent sample(String tenant, String uid) {
        return LocalAws.apiEvent("get-agent.json", tenant, uid);
    }

    @Test
    void handleRequest_shouldReturnTheAgentWithoutItsSecret_whenItBelongsToTheCaller() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant, AgentChanges.forCreate("{\"name\": \"Reader\", \"events\": [\"task.completed\"]}"))
                .agent();

        var response = LocalAws.invoke(handler, sample(tenant, agent.uid()));

        assertThat(response.getStatusCode()).isEqualTo(200);
        var body = Json.parse(response.getBody());
        assertThat(body.get("uid").asText()).isEqualTo(agent.uid());
        assertThat(body.get("name").asText()).isEqualTo("Reader");
        assertThat(body.get("callback_url").isNull()).isTrue();
        assertThat(body.has("secret")).isFalse();
    }

    @Test
    void handleRequest_shouldAnswer404_whenTheAgentBelongsToAnotherTenantOrDoesNotExist() {
        var agent = agents.register("tenant_" + UUID.randomUUID(), AgentChanges.forCreate("{\"name\": \"Theirs\"}"))
                .agent();

        var foreign = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), agent.uid()));
        var missing =
                LocalAws.invoke(handler, EventLoader.loadApiGatewayRestEvent(LocalAws.eventFile("get-agent.json")));

        assertThat(foreign.getStatusCode()).isEqualTo(404);
        assertThat(foreign.getBody()).isEqualTo("{\"detail\":\"Not found.\"}");
        assertThat(missing.getStatusCode()).isEqualTo(404);
    }

    @Test
    void handleRequest_shouldAnswer503WithRetryAfter_whenDynamoDbStillThrottlesAfterTheRetries() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Throttled\"}"))
                .agent();
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        try (FaultProxy proxy = FaultProxy.start(emulator, FaultProxy.Settings.only(FaultProxy.Kind.THROTTLE, 1))) {
            var throttled = new GetAgentHandler(new Wiring(
                    Configuration.from(
                            LocalAws.environmentFor("GetAgentFunction", Map.of("AWS_ENDPOINT_URL", proxy.endpoint()))),
                    Clock.systemUTC()));

            var response = LocalAws.invoke(throttled, LocalAws.apiEvent("get-agent.json", tenant, agent.uid()));

            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(response.getHeaders()).containsEntry("Retry-After", "1");
            assertThat(Json.parse(response.getBody()).get("detail").asText()).contains("retry");
        }
    }
}
