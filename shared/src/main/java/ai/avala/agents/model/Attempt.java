package ai.avala.agents.model;

import ai.avala.agents.json.Timestamps;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One callback attempt of an execution: when it started, how long it took, what the receiver answered
 * ({@code statusCode}, null when it never answered over HTTP) and what went wrong, if anything.
 */
public record Attempt(int attempt, Instant startedAt, long durationMs, Integer statusCode, String error) {

    /** An error is kept to this many characters per attempt (ten of them fit an execution's item with room). */
    public static final int MAX_ERROR_LENGTH = 500;

    public Attempt {
        if (error != null && error.length() > MAX_ERROR_LENGTH) {
            error = error.substring(0, MAX_ERROR_LENGTH - 1) + "\u2026";
        }
    }

    public Instant endedAt() {
        return startedAt.plusMillis(durationMs);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("attempt", attempt);
        json.put("started_at", Timestamps.format(startedAt));
        json.put("duration_ms", durationMs);
        json.put("status_code", statusCode);
        json.put("error", error);
        return json;
    }
}
