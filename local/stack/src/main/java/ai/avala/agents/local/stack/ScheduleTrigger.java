package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge schedule ({@code Type: Schedule}, {@code rate(N minutes)}) for one function: invokes it with a
 * scheduled event every period, one invocation at a time, the first a period after the start. A stack started for a
 * test may shorten the period ({@link Options#scheduleEvery}).
 */
final class ScheduleTrigger implements Runnable {

    private static final StackLog LOG = StackLog.of(ScheduleTrigger.class);
    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");

    private final LambdaFunctions.Function function;
    private final Duration period;
    private final StopGate running = new StopGate();

    ScheduleTrigger(LambdaFunctions.Function function, Duration period) {
        this.function = function;
        this.period = period;
    }

    /** The schedule's properties if {@code event} is a schedule, else null. */
    static Map<String, Object> scheduleProperties(Object event) {
        Map<String, Object> e = map(event);
        return "Schedule".equals(e.get("Type")) ? map(e.get("Properties")) : null;
    }

    /** The period of a {@code rate(...)} expression (the only form the template uses). */
    static Duration rate(String expression) {
        Matcher m = RATE.matcher(expression == null ? "" : expression.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "The local stack runs rate(N minutes|hours|days) schedules: " + expression);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    String functionId() {
        return function.id();
    }

    void stop() {
        running.close();
    }

    @Override
    public void run() {
        while (running.isOpen()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            if (running.isOpen()) {
                invoke();
            }
        }
    }

    private void invoke() {
        try {
            byte[] answer = function.invoke(
                    Json.write(Map.of(
                                    "version", "0",
                                    "id", UUID.randomUUID().toString(),
                                    "detail-type", "Scheduled Event",
                                    "source", "aws.events",
                                    "time", Instant.now().toString(),
                                    "resources", List.of(),
                                    "detail", Map.of()))
                            .getBytes(StandardCharsets.UTF_8),
                    new LocalContext(function.id(), function.timeoutMillis()));
            running.ifOpen(() -> LOG.info(
                    "Scheduled run", "function", function.id(), "answer", new String(answer, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            running.ifOpen(() -> LOG.error(
                    "The scheduled function failed; it runs again at its next period", e, "function", function.id()));
        }
    }
}
