package ai.avala.agents.local.emulator;

import ai.avala.agents.ids.Ids;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Executions as the service leaves them, for tests that seed the executions table directly. */
public final class ExecutionSeeds {

    private ExecutionSeeds() {}

    /**
     * A callback agent's execution of a {@code task.completed} event at {@code at}, as the matching stage records it
     * (running, no attempt made), or as a delivery leaves it ({@code failed} after one attempt, {@code success}).
     */
    public static Execution of(String tenant, String agent, ExecutionStatus status, Instant at) {
        boolean attempted = status != ExecutionStatus.RUNNING && status != ExecutionStatus.PENDING;
        return new Execution(
                "exec_" + Ids.ulid(at.toEpochMilli()),
                agent,
                tenant,
                "evt_" + UUID.randomUUID(),
                "task.completed",
                "task_1",
                null,
                status,
                null,
                Map.of("task_uid", "task_1", "task_name", "Image 1"),
                null,
                status == ExecutionStatus.FAILED ? "Callback returned HTTP 503." : null,
                attempted ? 1 : 0,
                attempted ? at : null,
                attempted ? at : null,
                at,
                at,
                List.of(),
                null);
    }

    /** {@link #of} for a tenant and an agent of its own (the sweep and the stores need no agent item). */
    public static Execution of(ExecutionStatus status, Instant at) {
        return of("tenant_" + UUID.randomUUID(), "agent_" + UUID.randomUUID(), status, at);
    }
}
