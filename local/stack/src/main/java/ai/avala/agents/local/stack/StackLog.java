package ai.avala.agents.local.stack;

import ai.avala.agents.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local stack's own lines (what API Gateway, the queue and stream triggers would show in CloudWatch),
 * JSON like the functions' but marked {@code "source": "local-stack"} and without a request id, so that
 * the two are told apart at a glance or with {@code jq 'select(.source != "local-stack")'}.
 */
final class StackLog {

    private final String logger;

    private StackLog(String logger) {
        this.logger = logger;
    }

    static StackLog of(Class<?> type) {
        return new StackLog(type.getSimpleName());
    }

    void info(String message, Object... fields) {
        write("INFO", message, null, fields);
    }

    void warn(String message, Throwable error, Object... fields) {
        write("WARN", message, error, fields);
    }

    void error(String message, Throwable error, Object... fields) {
        write("ERROR", message, error, fields);
    }

    private void write(String level, String message, Throwable error, Object... fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("level", level);
        line.put("source", "local-stack");
        line.put("logger", logger);
        line.put("message", message);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.put(String.valueOf(fields[i]), fields[i + 1]);
        }
        if (error != null) {
            line.put(
                    "exception",
                    Map.of("type", error.getClass().getName(), "message", String.valueOf(error.getMessage())));
        }
        System.out.println(Json.write(line));
    }
}
