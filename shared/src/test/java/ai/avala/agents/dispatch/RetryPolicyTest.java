package ai.avala.agents.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.config.Configuration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = policy(4, "5,30,120");

    private static RetryPolicy policy(int maxAttempts, String scheduleSeconds) {
        var config = Configuration.from(Map.of("CALLBACK_RETRY_SCHEDULE_SECONDS", scheduleSeconds));
        return new RetryPolicy(maxAttempts, config.callbackRetrySchedule());
    }

    @Test
    void nextDelay_shouldFollowTheScheduleWithinTwentyPercentJitter() {
        for (int i = 0; i < 200; i++) {
            assertThat(policy.nextDelay(1, null).orElseThrow()).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
            assertThat(policy.nextDelay(2, null).orElseThrow())
                    .isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
            assertThat(policy.nextDelay(3, null).orElseThrow())
                    .isBetween(Duration.ofSeconds(96), Duration.ofSeconds(144));
        }
    }

    @Test
    void nextDelay_shouldStopAfterTheLastAttemptAndRepeatTheLastStepBeforeThat() {
        RetryPolicy longer = policy(10, "5,30");

        assertThat(policy.nextDelay(4, null)).isEmpty();
        assertThat(longer.nextDelay(7, null).orElseThrow()).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
    }

    @Test
    void nextDelay_shouldWaitAtLeastRetryAfterUpToSixHours() {
        assertThat(policy.nextDelay(1, Duration.ofSeconds(60))).contains(Duration.ofSeconds(60));
        assertThat(policy.nextDelay(1, Duration.ofDays(2))).contains(Duration.ofHours(6));
        assertThat(policy.nextDelay(3, Duration.ofSeconds(1)).orElseThrow()).isGreaterThan(Duration.ofSeconds(90));
    }

    @Test
    void policy_shouldRefuseNoAttemptsOrAnEmptySchedule() {
        assertThatThrownBy(() -> new RetryPolicy(0, List.of(Duration.ofSeconds(5))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
