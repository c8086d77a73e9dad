package ai.avala.agents.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A registered agent of one tenant. {@code version} guards concurrent updates. */
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
        ExecutionStats stats,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    public Agent {
        events = List.copyOf(events);
        taskTypes = List.copyOf(taskTypes);
    }

    public Agent withStats(ExecutionStats counts) {
        return new Agent(tenant, uid, name, description, events, callbackUrl, active, project, taskTypes, secret,
                counts, createdAt, updatedAt, version);
    }

    public boolean pullMode() {
        return callbackUrl == null;
    }

    /** The wire form; the signing secret is shown only when the agent was just created. */
    public Map<String, Object> toJson(boolean includeSecret) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("uid", uid);
        json.put("name", name);
        json.put("description", description);
        json.put("events", events);
        json.put("callback_url", callbackUrl);
        json.put("is_active", active);
        json.put("project", project);
        json.put("task_types", taskTypes);
        if (includeSecret) {
            json.put("secret", secret);
        }
        json.put("execution_stats", stats.toJson());
        json.put("created_at", Timestamps.format(createdAt));
        json.put("updated_at", Timestamps.format(updatedAt));
        return json;
    }
}
