package ai.avala.agents.api;

import java.util.List;
import java.util.Map;

/**
 * An outcome that maps to a 4xx answer. The message is the {@code detail} a caller sees, so it never
 * carries secrets, keys or internals.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final Map<String, List<String>> fieldErrors;

    public ApiException(int status, String detail, Map<String, List<String>> fieldErrors) {
        super(detail, null, false, false);
        this.status = status;
        this.fieldErrors = fieldErrors == null ? Map.of() : Map.copyOf(fieldErrors);
    }

    public int status() {
        return status;
    }

    public Map<String, List<String>> fieldErrors() {
        return fieldErrors;
    }

    public static ApiException notFound() {
        return new ApiException(404, "Not found.", null);
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, detail, null);
    }

    public static ApiException invalid(String detail, Map<String, List<String>> fieldErrors) {
        return new ApiException(400, detail, fieldErrors);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, detail, null);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "Authentication credentials were not provided or are invalid.", null);
    }
}
