package ai.avala.agents.errors;

import ai.avala.agents.json.JsonValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The problems of one request body, field by field, reported all at once: {@code "Invalid agent: name: This
 * field is required.; colour: Unknown field."} with every field's messages beside it.
 */
public final class FieldErrors {

    private final String subject;
    private final Map<String, List<String>> errors = new LinkedHashMap<>();

    /** {@code subject}: what is invalid ("agent", "action"). */
    public FieldErrors(String subject) {
        this.subject = subject;
    }

    /** The body must be a JSON object whose member names are all {@code allowed}; each other one is an error. */
    public static FieldErrors of(String subject, JsonValue body, Set<String> allowed) {
        if (!body.isObject()) {
            throw new InvalidInputException("Request body must be a JSON object.");
        }
        FieldErrors errors = new FieldErrors(subject);
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!allowed.contains(field)) {
                errors.add(field.length() > 64 ? field.substring(0, 64) : field, "Unknown field.");
            }
        }
        return errors;
    }

    /** Records a problem of {@code field}; the first one of a field is the one the summary names. */
    public void add(String field, String message) {
        errors.computeIfAbsent(field, f -> new ArrayList<>()).add(message);
    }

    public boolean has(String field) {
        return errors.containsKey(field);
    }

    /** Throws the errors gathered, if any. */
    public void throwIfAny() {
        if (errors.isEmpty()) {
            return;
        }
        StringBuilder detail = new StringBuilder("Invalid ").append(subject).append(": ");
        String separator = "";
        for (var entry : errors.entrySet()) {
            detail.append(separator)
                    .append(entry.getKey())
                    .append(": ")
                    .append(entry.getValue().get(0));
            separator = "; ";
        }
        throw new InvalidInputException(detail.toString(), errors);
    }
}
