package ai.avala.agents.json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** ISO-8601 UTC timestamps with milliseconds and a {@code Z}, as the contract writes them. */
public final class Timestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    public static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }

    public static Instant now(java.time.Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Now, or a millisecond after {@code previous} if the clock has not moved past it: a change's time always
     * follows the one before it, even on a clock with coarse ticks.
     */
    public static Instant nowAfter(java.time.Clock clock, Instant previous) {
        Instant now = now(clock);
        return now.isAfter(previous) ? now : previous.plusMillis(1);
    }
}
