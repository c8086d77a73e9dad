package ai.avala.agents.errors;

import java.util.List;
import java.util.Map;

/** Input that can never succeed as sent; the message and the per-field messages are safe to show the caller. */
public class InvalidInputException extends RuntimeException {

    private final Map<String, List<String>> fieldErrors;

    public InvalidInputException(String detail) {
        this(detail, Map.of());
    }

    public InvalidInputException(String detail, Map<String, List<String>> fieldErrors) {
        super(detail, null, false, false);
        this.fieldErrors = Map.copyOf(fieldErrors);
    }

    public Map<String, List<String>> fieldErrors() {
        return fieldErrors;
    }
}
