package ai.avala.agents.functions.listagents;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.config.Environment;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ListAgentsHandlerTest {

    private static final Environment ENV = LocalAws.environmentFor("ListAgentsFunction", Map.of());
    private final ListAgentsHandler handler = new ListAgentsHandler(ENV);
    private final AgentService agents = AgentService.fromEnvironment(ENV);

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
            created.add(agents.create(tenant, AgentChanges.parse("{\"name\": \"agent " + i + "\"}", true)).uid());
        }

        var first = Json.parse(LocalAws.invoke(handler, sample(tenant, Map.of("limit", "2"))).getBody());
        String next = first.get("next").asText();
        String cursor = URLDecoder.decode(URI.create(next).getRawQuery().replaceAll(".*cursor=([^&]*).*", "$1"),
                StandardCharsets.UTF_8);
        var second = Json.parse(LocalAws.invoke(handler, sample(tenant, Map.of("limit", "2", "cursor", cursor))).getBody());

        assertThat(next).startsWith("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/api/v1/agents/?")
                .contains("limit=2");
        assertThat(List.of(first.get("results").get(0).get("uid").asText(), first.get("results").get(1).get("uid").asText(),
                second.get("results").get(0).get("uid").asText())).containsExactly(created.get(2), created.get(1), created.get(0));
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(first.get("results").get(0).has("secret")).isFalse();
    }

    @Test
    void handleRequest_shouldAnswer400_whenTheLimitOrCursorIsInvalid() {
        String tenant = "tenant_" + UUID.randomUUID();

        assertThat(LocalAws.invoke(handler, sample(tenant, Map.of("limit", "0"))).getStatusCode()).isEqualTo(400);
        assertThat(LocalAws.invoke(handler, sample(tenant, Map.of("limit", "101"))).getStatusCode()).isEqualTo(400);
        assertThat(LocalAws.invoke(handler, sample(tenant, Map.of("limit", "ten"))).getStatusCode()).isEqualTo(400);
        assertThat(LocalAws.invoke(handler, sample(tenant, Map.of("cursor", "forged"))).getStatusCode()).isEqualTo(400);
    }
}
