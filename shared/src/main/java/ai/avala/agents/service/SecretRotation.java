package ai.avala.agents.service;

import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.time.Duration;
import java.util.Set;

/** {@code POST /agents/{uid}/rotate-secret/}: {@code {"overlap_seconds"?: 0..604800}}, an empty body included. */
public record SecretRotation(Duration overlap) {

    public static final long DEFAULT_OVERLAP_SECONDS = 86_400;
    public static final long MAX_OVERLAP_SECONDS = 604_800;
    private static final Set<String> FIELDS = Set.of("overlap_seconds");

    public static SecretRotation parse(String body) {
        if (body == null || body.isBlank()) {
            return new SecretRotation(Duration.ofSeconds(DEFAULT_OVERLAP_SECONDS));
        }
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("rotation", root, FIELDS);
        JsonValue overlap = root.path("overlap_seconds");
        long seconds = DEFAULT_OVERLAP_SECONDS;
        if (!overlap.isMissingNode()) {
            // null is not an integer: leave the field out for the default.
            if (!overlap.canConvertToLong() || overlap.asLong() < 0 || overlap.asLong() > MAX_OVERLAP_SECONDS) {
                errors.add("overlap_seconds", "Must be an integer from 0 to " + MAX_OVERLAP_SECONDS + " (7 days).");
            } else {
                seconds = overlap.asLong();
            }
        }
        errors.throwIfAny();
        return new SecretRotation(Duration.ofSeconds(seconds));
    }
}
