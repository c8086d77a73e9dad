package ai.avala.agents.log;

import ai.avala.agents.json.Json;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions' logs: every line one JSON object on standard output, which CloudWatch stores as one
 * event and Logs Insights reads field by field: {@code time}, {@code level}, {@code message}, {@code logger},
 * {@code function}, {@code request_id} and whatever the invocation is about ({@code tenant}, {@code agent},
 * {@code execution}), an exception as a field. {@code LOG_LEVEL} (DEBUG, INFO, WARN, ERROR) sets the
 * threshold. Written on the JSON writer the functions already load, so logging costs a cold start nothing
 * (java.util.logging would load and configure some 30 classes before the first answer). Nothing logged here
 * carries a request body, a secret or an API key: callers pass identifiers only.
 */
public final class Log {

    /** The levels, in order. */
    public enum Level {
        DEBUG,
        INFO,
        WARN,
        ERROR
    }

    private static volatile Level threshold = Level.INFO;
    private static volatile String function;
    private static volatile PrintStream out = System.out;
    private static final InheritableThreadLocal<Map<String, String>> CONTEXT = new InheritableThreadLocal<>() {
        @Override
        protected Map<String, String> childValue(Map<String, String> parent) {
            return parent == null ? null : new LinkedHashMap<>(parent);
        }
    };

    private final String logger;

    private Log(String logger) {
        this.logger = logger;
    }

    public static Log of(Class<?> type) {
        return new Log(type.getSimpleName());
    }

    /** The threshold ({@code LOG_LEVEL}) and the function's name, from its configuration. */
    public static void configure(Level level, String functionName) {
        threshold = level;
        if (functionName != null) {
            function = functionName;
        }
    }

    /** Where the lines go (standard output unless a test or the local stack says otherwise). */
    public static void writeTo(PrintStream stream) {
        out = stream;
    }

    /**
     * Starts an invocation's context: the function and the request id Lambda gives it, nothing else yet.
     * Threads it starts inherit it. (The function is per invocation, not per JVM, for the local stack, which
     * runs every function in one JVM.)
     */
    public static void startInvocation(com.amazonaws.services.lambda.runtime.Context lambda) {
        Map<String, String> context = new LinkedHashMap<>();
        if (lambda != null) {
            if (lambda.getFunctionName() != null) {
                context.put("function", lambda.getFunctionName());
            }
            if (lambda.getAwsRequestId() != null) {
                context.put("request_id", lambda.getAwsRequestId());
            }
        }
        CONTEXT.set(context);
    }

    /** The current invocation's function, else this JVM's. */
    public static String currentFunction() {
        Map<String, String> context = CONTEXT.get();
        String invoked = context == null ? null : context.get("function");
        return invoked != null ? invoked : function;
    }

    /** The current invocation's request id, if any. */
    public static String currentRequestId() {
        Map<String, String> context = CONTEXT.get();
        return context == null ? null : context.get("request_id");
    }

    /** Adds what the current invocation is about (tenant, agent, execution) to its lines from now on. */
    public static void tag(String field, String value) {
        Map<String, String> context = CONTEXT.get();
        if (context == null) {
            context = new LinkedHashMap<>();
            CONTEXT.set(context);
        }
        if (value != null) {
            context.put(field, value);
        }
    }

    public static boolean enabled(Level level) {
        return level.ordinal() >= threshold.ordinal();
    }

    public void debug(String message, Object... fields) {
        write(Level.DEBUG, message, null, fields);
    }

    public void info(String message, Object... fields) {
        write(Level.INFO, message, null, fields);
    }

    public void warn(String message, Throwable error, Object... fields) {
        write(Level.WARN, message, error, fields);
    }

    public void error(String message, Throwable error, Object... fields) {
        write(Level.ERROR, message, error, fields);
    }

    /** {@code fields}: names and values, alternately. */
    private void write(Level level, String message, Throwable error, Object... fields) {
        if (!enabled(level)) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("level", level.name());
        line.put("message", message);
        line.put("logger", logger);
        if (function != null) {
            line.put("function", function);
        }
        Map<String, String> context = CONTEXT.get();
        if (context != null) {
            line.putAll(context);
        }
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.put(String.valueOf(fields[i]), fields[i + 1] == null ? null : String.valueOf(fields[i + 1]));
        }
        if (error != null) {
            line.put("exception", exception(error));
        }
        out.println(Json.write(line));
    }

    /** Writes a line as it is (an Embedded Metric Format record, see {@link Metrics}). */
    public static void writeLine(Map<String, Object> line) {
        out.println(Json.write(line));
    }

    private static Map<String, Object> exception(Throwable error) {
        Map<String, Object> exception = new LinkedHashMap<>();
        exception.put("type", error.getClass().getName());
        exception.put("message", error.getMessage());
        List<String> stack = new ArrayList<>();
        for (StackTraceElement frame : error.getStackTrace()) {
            stack.add(frame.toString());
        }
        exception.put("stack", stack);
        if (error.getCause() != null && error.getCause() != error) {
            exception.put("cause", exception(error.getCause()));
        }
        return exception;
    }
}
