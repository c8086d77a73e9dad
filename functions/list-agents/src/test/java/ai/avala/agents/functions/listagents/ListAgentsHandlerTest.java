package ai.avala.agents.functions.listagents;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListAgentsHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("ListAgentsFunction", Map.of());
    private final ListAgentsHandler handler = new ListAgentsHandler(WIRING);
    private final AgentService agents = WIRING.agentService();

    private static APIGatewayProxyRequestEvent sample(String tenant, Map<String, String> query) {
        var event = LocalAws.apiEvent("list-agents.json", tenant, null);
        event.setQueryStringParameters(query);
        return event;
    }

    @Test
    void handleRequest_shouldPageNewestFirstWithAbsoluteNextUrls() {
        String tenant = "tenant_" + UUID.randomUUID();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            created.add(agents.register(tenant, AgentChanges.forCreate("{\"name\": \"agent " + i + "\"}"))
                    .agent()
                    .uid());
        }

        var first = Json.parse(
                LocalAws.invoke(handler, sample(tenant, Map.of("limit", "2"))).getBody());
        String next = first.get("next").asText();
        String cursor = URLDecoder.decode(
                URI.create(next).getRawQuery().replaceAll(".*cursor=([^&]*).*", "$1"), StandardCharsets.UTF_8);
        var second = Json.parse(LocalAws.invoke(handler, sample(tenant, Map.of("limit", "2", "cursor", cursor)))
                .getBody());

        assertThat(next)
                .startsWith("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/api/v1/agents/?")
                .contains("limit=2");
        assertThat(List.of(
                        first.get("results").get(0).get("uid").asText(),
                        first.get("results").get(1).get("uid").asText(),
                        second.get("results").get(0).get("uid").asText()))
                .containsExactly(created.get(2), created.get(1), created.get(0));
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(first.get("results").get(0).has("secret")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "ten"})
    void handleRequest_shouldAnswer400NamingTheLimit_whenTheLimitIsNotFrom1To100(String limit) {
        var response = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), Map.of("limit", limit)));

        assertThat(response.getStatusCode()).isEqualTo(400);
        var body = Json.parse(response.getBody());
        assertThat(body.get("detail").asText()).isEqualTo("Invalid limit: must be an integer from 1 to 100.");
        assertThat(body.get("errors").get("limit").get(0).asText()).isEqualTo("Must be an integer from 1 to 100.");
    }

    @Test
    void handleRequest_shouldAnswer400InvalidCursor_whenTheCursorWasNotIssuedByTheService() {
        var response = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), Map.of("cursor", "forged")));

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(response.getBody()).get("detail").asText()).isEqualTo("Invalid cursor.");
    }
}
