package ai.avala.agents.service;

import ai.avala.agents.errors.FieldErrors;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * {@code POST /agents/{uid}/redeliver-failed/}: {@code {"since": <ISO 8601>, "until"?: <ISO 8601>}}, the
 * window of creation times whose failed executions are replayed: {@code since} at most
 * {@link #MAX_LOOK_BACK} back, {@code until} after it and at most now (its default).
 */
public record ReplayWindow(Instant since, Instant until) {

    public static final Duration MAX_LOOK_BACK = Duration.ofDays(7);
    private static final Set<String> FIELDS = Set.of("since", "until");

    public static ReplayWindow parse(String body, Instant now) {
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("replay", root, FIELDS);
        Instant since = instant(root.path("since"), "since", true, errors);
        Instant until = instant(root.path("until"), "until", false, errors);
        if (since != null && since.isBefore(now.minus(MAX_LOOK_BACK))) {
            errors.add("since", "Must be at most 7 days ago.");
        }
        if (until == null || until.isAfter(now)) {
            until = now;
        }
        if (since != null && !errors.has("until") && !since.isBefore(until)) {
            errors.add("until", "Must be later than since (and since earlier than now).");
        }
        errors.throwIfAny();
        return new ReplayWindow(since, until);
    }

    private static Instant instant(JsonValue value, String field, boolean required, FieldErrors errors) {
        if (value.isMissingNode() || value.isNull()) {
            if (required) {
                errors.add(field, "This field is required: an ISO 8601 time such as 2026-11-28T09:00:00Z.");
            }
            return null;
        }
        if (!value.isTextual()) {
            errors.add(field, "Must be an ISO 8601 time such as 2026-11-28T09:00:00Z.");
            return null;
        }
        try {
            return OffsetDateTime.parse(value.asText()).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(field, "Must be an ISO 8601 time with an offset, such as 2026-11-28T09:00:00Z.");
            return null;
        }
    }
}
