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
 * window of event times (the event's {@code occurred_at}, or when it was first seen without one) whose failed
 * executions are replayed. {@code until} (now when absent) must follow
 * {@code since}; how far back {@code since} may be ({@link #MAX_LOOK_BACK}) is checked against the clock by
 * {@link #at(Instant)}.
 */
public record ReplayWindow(Instant since, Instant until) {

    public static final Duration MAX_LOOK_BACK = Duration.ofDays(7);
    private static final Set<String> FIELDS = Set.of("since", "until");

    public static ReplayWindow parse(String body) {
        JsonValue root = Json.parse(body);
        FieldErrors errors = FieldErrors.of("replay", root, FIELDS);
        Instant since = instant(root.path("since"), "since", true, errors);
        Instant until = instant(root.path("until"), "until", false, errors);
        if (since != null && until != null && !since.isBefore(until)) {
            errors.add("until", "Must be later than since.");
        }
        errors.throwIfAny();
        return new ReplayWindow(since, until);
    }

    /** The window as of {@code now}: {@code until} at most now; {@code since} at most 7 days back and before now. */
    public ReplayWindow at(Instant now) {
        FieldErrors errors = new FieldErrors("replay");
        if (since.isBefore(now.minus(MAX_LOOK_BACK))) {
            errors.add("since", "Must be at most 7 days ago.");
        } else if (!since.isBefore(now)) {
            errors.add("since", "Must be in the past.");
        }
        errors.throwIfAny();
        return new ReplayWindow(since, until == null || until.isAfter(now) ? now : until);
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
