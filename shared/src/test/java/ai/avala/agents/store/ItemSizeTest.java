package ai.avala.agents.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.dispatch.EventIntake;
import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.AgentDecision;
import ai.avala.agents.model.Attempt;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStats;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.model.LabelingEvent;
import ai.avala.agents.model.PreviousSecret;
import ai.avala.agents.service.AgentChanges;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The largest agent and execution the service accepts fit in one DynamoDB item (400 KB), with room to spare. */
class ItemSizeTest {

    private static final int ITEM_LIMIT = 400 * 1024;
    /** Kept free in an execution for its attempt history (10 attempts of about 1 KB each) and future fields. */
    private static final int EXECUTION_HEADROOM = 40 * 1024;

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00.123Z");

    @Test
    void theLargestAgent_shouldFitInAnItem() {
        Agent agent = new Agent(
                "t".repeat(128),
                "agent_01JD7Q3ZC8V6W3N8X4Y5Z6A7B8",
                "n".repeat(255),
                "d".repeat(2000),
                Collections.nCopies(AgentChanges.MAX_EVENTS, "e".repeat(100)),
                "https://h.example/" + "p".repeat(2030),
                true,
                "p".repeat(255),
                Collections.nCopies(AgentChanges.MAX_TASK_TYPES, "t".repeat(100)),
                "whsec_" + "s".repeat(44),
                new PreviousSecret("whsec_" + "o".repeat(44), NOW),
                "r".repeat(300),
                NOW,
                new ExecutionStats(Long.MAX_VALUE, 1, 1, 1),
                NOW,
                NOW,
                Long.MAX_VALUE);

        assertThat(size(AgentStore.toItem(agent))).isLessThan(ITEM_LIMIT / 10);
    }

    @Test
    void theLargestExecution_withAFullAttemptHistory_shouldFitInAnItemWithRoomToSpare() throws Exception {
        String envelope = "{\"id\": \"" + "i".repeat(256) + "\", \"type\": \"task.completed\", \"tenant\": \""
                + "t".repeat(128) + "\", \"project\": \"p\", \"data\": {\"blob\": \"";
        String largest = envelope + "\u00e9".repeat((EventIntake.MAX_EVENT_BYTES - envelope.length() - 3) / 2) + "\"}}";
        assertThat(largest.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(EventIntake.MAX_EVENT_BYTES);
        LabelingEvent event = EventIntake.parse(largest);
        Map<String, Object> response = Map.of("blob", "r".repeat(CallbackDelivery.MAX_RESPONSE_BYTES));
        Execution execution = new Execution(
                "exec_01JD7Q3ZC8V6W3N8X4Y5Z6A7B8",
                "agent_01JD7Q3ZC8V6W3N8X4Y5Z6A7B8",
                event.tenant(),
                event.id(),
                event.type(),
                "k".repeat(256),
                "r".repeat(256),
                ExecutionStatus.FAILED,
                AgentDecision.APPROVE,
                event.payload(),
                response,
                "e".repeat(2000),
                20,
                NOW,
                NOW,
                NOW,
                NOW,
                java.util.stream.IntStream.rangeClosed(11, 20)
                        .mapToObj(n -> new Attempt(n, NOW, 20_000, 503, "x".repeat(10_000)))
                        .toList(),
                NOW);
        assertThat(execution.attemptHistory())
                .hasSize(Execution.HISTORY_SIZE)
                .allSatisfy(attempt -> assertThat(attempt.error()).hasSize(Attempt.MAX_ERROR_LENGTH));

        int size = size(new ExecutionLog(null, "ExecutionsTable", Duration.ofDays(30)).toItem(execution));

        assertThat(size).isGreaterThan(EventIntake.MAX_EVENT_BYTES).isLessThan(ITEM_LIMIT - EXECUTION_HEADROOM);
    }

    @Test
    void anEventOverTheBound_shouldBePoison() {
        String over = "{\"id\": \"e\", \"type\": \"task.completed\", \"tenant\": \"t\", \"data\": {\"blob\": \""
                + "x".repeat(EventIntake.MAX_EVENT_BYTES) + "\"}}";

        assertThatThrownBy(() -> EventIntake.parse(over))
                .isInstanceOf(PoisonMessageException.class)
                .hasMessageContaining("larger than " + EventIntake.MAX_EVENT_BYTES);
    }

    /** An item's size as DynamoDB counts it: each attribute's UTF-8 name plus its value. */
    static int size(Map<String, AttributeValue> item) {
        return item.entrySet().stream()
                .mapToInt(e -> utf8(e.getKey()) + size(e.getValue()))
                .sum();
    }

    private static int size(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        }
        if (value.n() != null) {
            return (value.n().replace("-", "").replace(".", "").length() + 1) / 2 + 1;
        }
        if (value.hasL()) {
            return 3 + value.l().stream().mapToInt(item -> 1 + size(item)).sum();
        }
        if (value.hasM()) {
            return 3
                    + value.m().entrySet().stream()
                            .mapToInt(e -> 1 + utf8(e.getKey()) + size(e.getValue()))
                            .sum();
        }
        return 1;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void theSizeRules_shouldCountUtf8BytesOfNamesAndValues() {
        assertThat(size(Map.of("ab", AttributeValue.fromS("\u00e9x")))).isEqualTo(2 + 3);
        assertThat(size(Map.of("l", AttributeValue.fromL(List.of(AttributeValue.fromS("abc"))))))
                .isEqualTo(1 + 3 + 1 + 3);
    }
}
