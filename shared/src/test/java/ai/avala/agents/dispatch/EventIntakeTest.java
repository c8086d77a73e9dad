package ai.avala.agents.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.json.Json;
import ai.avala.agents.model.LabelingEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventIntakeTest {

    private static final String EVENT = "{\"id\": \"evt_1\", \"type\": \"result.submitted\", \"tenant\": \"acme\","
            + " \"project\": \"proj_1\", \"task_type\": \"classification\", \"task\": \"task_1\", \"result\": \"res_1\","
            + " \"occurred_at\": \"2026-11-28T17:56:48.123Z\", \"data\": {\"result_data\": [1, 2], \"task_name\": \"t\"}}";

    @Test
    void parse_shouldReadThePlainEnvelopeAndBuildTheAgentPayload() throws Exception {
        LabelingEvent event = EventIntake.parse(EVENT);

        assertThat(event.id()).isEqualTo("evt_1");
        assertThat(event.type()).isEqualTo("result.submitted");
        assertThat(event.tenant()).isEqualTo("acme");
        assertThat(event.payload())
                .containsEntry("task_uid", "task_1")
                .containsEntry("result_uid", "res_1")
                .containsEntry("task_type", "classification")
                .containsEntry("project_uid", "proj_1")
                .containsEntry("task_name", "t")
                .containsKey("result_data");
    }

    @Test
    void parse_shouldUnwrapAnSnsNotification() throws Exception {
        String sns = Json.write(Map.of("Type", "Notification", "MessageId", "m-1", "Message", EVENT));

        assertThat(EventIntake.parse(sns)).isEqualTo(EventIntake.parse(EVENT));
    }

    @Test
    void parse_shouldReadAnEventBridgeEvent() throws Exception {
        String bridge =
                "{\"version\": \"0\", \"id\": \"eb-1\", \"detail-type\": \"task.completed\", \"source\": \"avala\","
                        + " \"time\": \"2026-11-28T17:56:48Z\", \"detail\": {\"tenant\": \"acme\", \"task\": \"task_2\"}}";

        LabelingEvent event = EventIntake.parse(bridge);

        assertThat(event.type()).isEqualTo("task.completed");
        assertThat(event.id()).isEqualTo("eb-1");
        assertThat(event.task()).isEqualTo("task_2");
        assertThat(event.occurredAt()).isEqualTo("2026-11-28T17:56:48Z");
    }

    @Test
    void anEventBridgeEnvelopeWithNumbersWhereStringsBelong_shouldBePoison_withoutExpandingThem() {
        for (String field : java.util.List.of("id", "time", "detail-type")) {
            Map<String, Object> bridge = new java.util.LinkedHashMap<>(Map.of(
                    "id", "eb-1",
                    "detail-type", "task.completed",
                    "time", "2026-11-28T17:56:48Z",
                    "detail", Map.of("tenant", "acme")));
            bridge.remove(field);
            String body = Json.write(bridge).replaceFirst("^\\{", "{\"" + field + "\": 1e300000000, ");

            assertThatThrownBy(() -> EventIntake.parse(body))
                    .as(field)
                    .isInstanceOf(PoisonMessageException.class)
                    .hasMessage("EventBridge \"" + field + "\" must be a string.");
        }
    }

    @Test
    void aNumberWithAHugeExponent_shouldKeepItsExponentAsText() {
        assertThat(Json.parse("{\"n\": 1e300000000}").get("n").asText()).isEqualTo("1E+300000000");
        assertThat(Json.parse("{\"n\": 12.50}").get("n").asText()).isEqualTo("12.50");
    }

    @Test
    void parse_shouldCallEverythingElsePoisonWithAReason() {
        Map<String, String> poison = Map.of(
                "not json", "not valid JSON",
                "[1]", "not a JSON object",
                "", "empty",
                "{\"type\": \"task.completed\", \"tenant\": \"acme\"}", "\"id\"",
                "{\"id\": \"e\", \"tenant\": \"acme\"}", "\"type\"",
                "{\"id\": \"e\", \"type\": \"task.completed\"}", "\"tenant\"",
                "{\"id\": 5, \"type\": \"task.completed\", \"tenant\": \"acme\"}", "\"id\"",
                "{\"id\": \"e\", \"type\": \"Task Completed\", \"tenant\": \"acme\"}", "dotted",
                "{\"id\": \"e\", \"type\": \"task.completed\", \"tenant\": \"acme\", \"data\": [1]}", "data",
                "{\"Type\": \"Notification\", \"Message\": \"garbage\"}", "SNS Message");
        poison.forEach((body, reason) -> assertThatThrownBy(() -> EventIntake.parse(body))
                .as(body)
                .isInstanceOf(PoisonMessageException.class)
                .hasMessageContaining(reason));
    }
}
