package ai.avala.agents.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;

/**
 * When the current invocation ends: Lambda stops it where it stands at its timeout, so work that cannot be
 * finished (and recorded) before then is better not started. From {@link Context#getRemainingTimeInMillis()}
 * when the invocation begins; without a context (a handler called directly), no deadline.
 */
public record Deadline(long atNanos) {

    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    public static Deadline of(Context context) {
        return context == null
                ? NONE
                : new Deadline(System.nanoTime() + context.getRemainingTimeInMillis() * 1_000_000L);
    }

    /** The time left; without a deadline, the longest a Lambda invocation may run (15 minutes). */
    public Duration remaining() {
        return atNanos == Long.MAX_VALUE
                ? Duration.ofMinutes(15)
                : Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }

    /** Whether {@code work} still fits before the deadline. */
    public boolean leaves(Duration work) {
        return atNanos == Long.MAX_VALUE || System.nanoTime() + work.toNanos() <= atNanos;
    }
}
