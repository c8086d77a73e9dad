package ai.avala.agents.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a failed callback again: the schedule's delay for the attempt (the last one repeats),
 * with +-20% jitter so that many failing agents do not come back at once, at least the receiver's
 * {@code Retry-After}; none once {@code maxAttempts} attempts were made.
 */
public record RetryPolicy(int maxAttempts, List<Duration> schedule) {

    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(6);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("The retry schedule is empty");
        }
        schedule = List.copyOf(schedule);
    }

    /** The delay before the next attempt after {@code attemptsMade} failed ones, or empty when none is left. */
    public Optional<Duration> nextDelay(int attemptsMade, Duration retryAfter) {
        if (attemptsMade >= maxAttempts) {
            return Optional.empty();
        }
        Duration base = schedule.get(Math.min(attemptsMade - 1, schedule.size() - 1));
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        Duration delay = Duration.ofMillis(Math.round(base.toMillis() * jitter));
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        }
        return Optional.of(delay);
    }
}
