package ai.avala.agents.model;

import ai.avala.agents.json.Timestamps;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registered agent of one tenant. {@code version} guards concurrent updates. {@code previousSecret} is set
 * for the overlap after a rotation; {@code disabledReason} says why the service switched the agent off (its
 * receiver answered 410, or every callback failed for too long); {@code failingSince} is when its callbacks
 * started failing, with no success since.
 */
public record Agent(
        String tenant,
        String uid,
        String name,
        String description,
        List<String> events,
        String callbackUrl,
        boolean active,
        String project,
        List<String> taskTypes,
        String secret,
        PreviousSecret previousSecret,
        String disabledReason,
        Instant failingSince,
        ExecutionStats stats,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    public Agent {
        events = List.copyOf(events);
        taskTypes = List.copyOf(taskTypes);
    }

    /** A new agent: active unless said otherwise, healthy, with a fresh secret and no statistics yet. */
    public static Agent created(
            String tenant,
            String uid,
            String name,
            String description,
            List<String> events,
            String callbackUrl,
            boolean active,
            String project,
            List<String> taskTypes,
            String secret,
            Instant now) {
        return new Agent(
                tenant,
                uid,
                name,
                description,
                events,
                callbackUrl,
                active,
                project,
                taskTypes,
                secret,
                null,
                null,
                null,
                ExecutionStats.ZERO,
                now,
                now,
                1);
    }

    public Agent withStats(ExecutionStats counts) {
        return new Agent(
                tenant,
                uid,
                name,
                description,
                events,
                callbackUrl,
                active,
                project,
                taskTypes,
                secret,
                previousSecret,
                disabledReason,
                failingSince,
                counts,
                createdAt,
                updatedAt,
                version);
    }

    /**
     * The editable fields changed as a PATCH asks. Switching a disabled agent on again clears why it was
     * disabled and its failure streak: it starts healthy.
     */
    public Agent edited(
            String name,
            String description,
            List<String> events,
            String callbackUrl,
            boolean active,
            String project,
            List<String> taskTypes,
            Instant now) {
        boolean reactivated = active && !this.active;
        // A failure streak belongs to a receiver: switching the agent on or pointing it elsewhere starts afresh.
        boolean streakEnds = reactivated || !java.util.Objects.equals(callbackUrl, this.callbackUrl);
        return new Agent(
                tenant,
                uid,
                name,
                description,
                events,
                callbackUrl,
                active,
                project,
                taskTypes,
                secret,
                previousSecret,
                reactivated ? null : disabledReason,
                streakEnds ? null : failingSince,
                stats,
                createdAt,
                now,
                version + 1);
    }

    /** A new signing secret; the current one stays valid for signatures until {@code previousExpiresAt}. */
    public Agent rotated(String newSecret, Instant previousExpiresAt, Instant now) {
        PreviousSecret previous = previousExpiresAt.isAfter(now) ? new PreviousSecret(secret, previousExpiresAt) : null;
        return new Agent(
                tenant,
                uid,
                name,
                description,
                events,
                callbackUrl,
                active,
                project,
                taskTypes,
                newSecret,
                previous,
                disabledReason,
                failingSince,
                stats,
                createdAt,
                now,
                version + 1);
    }

    public boolean pullMode() {
        return callbackUrl == null;
    }

    /** The secrets a callback made at {@code now} is signed with: the current one, and the previous during its overlap. */
    public List<String> signingSecrets(Instant now) {
        return previousSecret != null && previousSecret.validAt(now)
                ? List.of(secret, previousSecret.secret())
                : List.of(secret);
    }

    /** The wire form, without the signing secret. */
    public Map<String, Object> toJson() {
        return toJson(null);
    }

    /** The wire form with the signing secret: only the answer that created the agent shows it. */
    public Map<String, Object> toJsonWithSecret() {
        return toJson(secret);
    }

    private Map<String, Object> toJson(String shownSecret) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("uid", uid);
        json.put("name", name);
        json.put("description", description);
        json.put("events", events);
        json.put("callback_url", callbackUrl);
        json.put("is_active", active);
        json.put("disabled_reason", disabledReason);
        json.put("project", project);
        json.put("task_types", taskTypes);
        if (shownSecret != null) {
            json.put("secret", shownSecret);
        }
        json.put("execution_stats", stats.toJson());
        json.put("created_at", Timestamps.format(createdAt));
        json.put("updated_at", Timestamps.format(updatedAt));
        return json;
    }
}
