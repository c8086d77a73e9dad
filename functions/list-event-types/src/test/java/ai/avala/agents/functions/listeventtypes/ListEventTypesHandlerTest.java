package ai.avala.agents.functions.listeventtypes;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /event-types/}: the catalog in pages, each type with what producers and receivers need. */
class ListEventTypesHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("ListEventTypesFunction", Map.of());
    private final ListEventTypesHandler handler = new ListEventTypesHandler(WIRING);

    private static APIGatewayProxyRequestEvent page(String cursor) {
        var event = LocalAws.apiEvent("list-event-types.json", "tenant_sample", null);
        Map<String, String> query = cursor == null ? Map.of("limit", "5") : Map.of("limit", "5", "cursor", cursor);
        event.setQueryStringParameters(query);
        event.setMultiValueQueryStringParameters(null);
        return event;
    }

    @Test
    void theCatalog_shouldBeListedInPagesFollowingNext_eachTypeWithItsSchemaAndExample() {
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var response = LocalAws.invoke(handler, page(cursor));
            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
            JsonValue body = Json.parse(response.getBody());
            for (JsonValue type : body.get("results")) {
                names.add(type.get("name").asText());
                assertThat(type.get("description").asText()).isNotBlank();
                assertThat(type.get("schema").get("type").asText()).isEqualTo("object");
                assertThat(type.get("example").get("type").asText())
                        .isEqualTo(type.get("name").asText());
                assertThat(type.get("deprecated").isBoolean()).isTrue();
            }
            String next = body.get("next").isNull() ? null : body.get("next").asText();
            cursor = next == null ? null : query(next, "cursor");
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(names).isEqualTo(WIRING.eventCatalog().names());
        assertThat(pages).isEqualTo((names.size() + 4) / 5);
    }

    @Test
    void aCursorThisServiceDidNotIssue_shouldAnswer400_andNoTenant401() {
        var tampered = LocalAws.invoke(handler, page("not a cursor!"));
        var anonymous = page(null);
        anonymous.getRequestContext().setAuthorizer(null);

        assertThat(tampered.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(tampered.getBody()).get("detail").asText()).isEqualTo("Invalid cursor.");
        assertThat(LocalAws.invoke(handler, anonymous).getStatusCode()).isEqualTo(401);
    }

    private static String query(String url, String name) {
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(
                        pair.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
