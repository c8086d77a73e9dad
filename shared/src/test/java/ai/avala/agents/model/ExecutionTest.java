package ai.avala.agents.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private static Execution running() {
        LabelingEvent event =
                new LabelingEvent("evt_1", "task.completed", "acme", null, null, "task_1", null, null, Map.of());
        return Execution.started("exec_1", "agent_1", "acme", event, false, T0);
    }

    @Test
    void attemptFailed_shouldKeepTheLastTenAttemptsAndTheNextAttemptsTime() {
        Execution execution = running();
        for (int n = 1; n <= 12; n++) {
            execution = execution.attemptFailed(
                    new Attempt(n, T0.plusSeconds(n), 5, 503, "HTTP 503"),
                    "HTTP 503",
                    T0.plusSeconds(n + 1),
                    T0.plusSeconds(n));
        }

        assertThat(execution.attempts()).isEqualTo(12);
        assertThat(execution.attemptHistory())
                .extracting(Attempt::attempt)
                .containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(execution.nextAttemptAt()).isEqualTo(T0.plusSeconds(13));
        assertThat(execution.status()).isEqualTo(ExecutionStatus.RUNNING);
    }

    @Test
    void finished_shouldClearTheNextAttempt_andRedeliveredShouldSetItAgainKeepingTheOutcomeUntilTheAttemptEnds() {
        Execution failed = running()
                .finished(
                        ExecutionStatus.FAILED,
                        new Attempt(1, T0, 7, 500, "HTTP 500"),
                        null,
                        Map.of("error", "x"),
                        "HTTP 500. Gave up after 1 attempt(s).",
                        T0.plusSeconds(1));

        Execution again = failed.redelivered(T0.plusSeconds(60));

        assertThat(failed.nextAttemptAt()).isNull();
        assertThat(failed.completedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(again.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(again.completedAt()).isNull();
        assertThat(again.nextAttemptAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.errorMessage()).isEqualTo(failed.errorMessage());
        assertThat(again.attemptHistory()).isEqualTo(failed.attemptHistory());
    }

    @Test
    void toJson_shouldCarryTheAttemptHistoryAndNextAttempt() {
        Execution execution = running()
                .attemptFailed(
                        new Attempt(1, T0, 12, null, "connection refused"),
                        "connection refused",
                        T0.plusSeconds(5),
                        T0);
        Map<String, Object> attempt = new LinkedHashMap<>();
        attempt.put("attempt", 1);
        attempt.put("started_at", "2026-11-28T10:00:00.000Z");
        attempt.put("duration_ms", 12L);
        attempt.put("status_code", null);
        attempt.put("error", "connection refused");

        Map<String, Object> json = execution.toJson();

        assertThat(json.get("attempts")).isEqualTo(1);
        assertThat(json.get("next_attempt_at")).isEqualTo("2026-11-28T10:00:05.000Z");
        assertThat(json.get("attempt_history")).isEqualTo(List.of(attempt));
    }
}
