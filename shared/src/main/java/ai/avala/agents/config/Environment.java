package ai.avala.agents.config;

import java.util.Map;

/**
 * The environment variables a function was started with. Lambda passes them as process
 * environment; the local stack and tests pass the same names explicitly, so both paths
 * read configuration through this one type.
 */
public record Environment(Map<String, String> values) {

    public Environment {
        values = Map.copyOf(values);
    }

    public static Environment system() {
        return new Environment(System.getenv());
    }

    /** Fails fast, naming the variable, so a mis-deployed function says what is missing. */
    public String require(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("Missing required environment variable " + name);
        }
        return value;
    }

    public boolean has(String name) {
        String value = values.get(name);
        return value != null && !value.isBlank();
    }

    public String optional(String name, String fallback) {
        String value = values.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public int integer(String name, int fallback) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Environment variable " + name + " must be an integer");
        }
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false").trim());
    }
}
