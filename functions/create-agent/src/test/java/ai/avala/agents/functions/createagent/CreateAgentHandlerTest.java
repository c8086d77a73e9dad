package ai.avala.agents.functions.createagent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CreateAgentHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("CreateAgentFunction", Map.of());
    private final CreateAgentHandler handler = new CreateAgentHandler(WIRING);

    private static APIGatewayProxyRequestEvent sample(String tenant) {
        return LocalAws.apiEvent("create-agent.json", tenant, null);
    }

    @Test
    void handleRequest_shouldStoreTheAgentAndShowItsSecretOnce_whenTheSampleEventIsValid() {
        String tenant = "tenant_" + UUID.randomUUID();

        var response = LocalAws.invoke(handler, sample(tenant));

        assertThat(response.getStatusCode()).isEqualTo(201);
        var body = Json.parse(response.getBody());
        assertThat(body.get("uid").asText()).startsWith("agent_");
        assertThat(body.get("secret").asText()).startsWith("whsec_");
        assertThat(body.get("events").toString()).isEqualTo("[\"task.completed\",\"result.submitted\"]");
        assertThat(body.get("execution_stats").toString())
                .isEqualTo("{\"total\":0,\"success\":0,\"failed\":0,\"pending\":0}");
        var stored = WIRING.agentService().get(tenant, body.get("uid").asText());
        assertThat(stored.name()).isEqualTo("Quality reviewer");
        assertThat(stored.secret()).isEqualTo(body.get("secret").asText());
    }

    @Test
    void handleRequest_shouldAnswer400WithFieldErrors_whenTheBodyIsInvalid() {
        var event = sample("tenant_" + UUID.randomUUID()).withBody("{\"events\": \"task.completed\", \"extra\": 1}");

        var response = LocalAws.invoke(handler, event);

        assertThat(response.getStatusCode()).isEqualTo(400);
        var body = Json.parse(response.getBody());
        assertThat(body.get("detail").asText()).startsWith("Invalid agent:");
        assertThat(body.get("errors").has("name")).isTrue();
        assertThat(body.get("errors").has("events")).isTrue();
        assertThat(body.get("errors").has("extra")).isTrue();
    }

    @Test
    void handleRequest_shouldAnswer401_whenNoTenantCameFromTheAuthorizer() {
        var event = sample("ignored");
        event.getRequestContext().setAuthorizer(null);

        var response = LocalAws.invoke(handler, event);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(Json.parse(response.getBody()).get("detail").asText()).isNotBlank();
    }
}
