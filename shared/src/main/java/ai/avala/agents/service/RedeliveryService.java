package ai.avala.agents.service;

import ai.avala.agents.dispatch.DeliveryQueue;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.errors.NotFoundException;
import ai.avala.agents.json.Timestamps;
import ai.avala.agents.model.Agent;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.KeyedPage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Sends finished executions again, on an operator's request: one ({@code redeliver}) or every failed one of
 * an agent in a window of time ({@code redeliverFailed}). An execution is claimed first (one conditional
 * write: finished -> running), then its delivery task is queued, so that each is sent once per request
 * however the requests overlap; the callback carries the same {@code webhook-id} as before.
 */
public final class RedeliveryService {

    /** How many claims a replay writes at once. */
    static final int PARALLEL_CLAIMS = 16;

    private final AgentStore agents;
    private final ExecutionLog executions;
    private final DeliveryQueue deliveries;
    private final Clock clock;

    public RedeliveryService(AgentStore agents, ExecutionLog executions, DeliveryQueue deliveries, Clock clock) {
        this.agents = agents;
        this.executions = executions;
        this.deliveries = deliveries;
        this.clock = clock;
    }

    /** Queues one more attempt of a finished execution now; the execution as it now stands (running). */
    public Execution redeliver(String tenant, String agentUid, String executionUid) {
        Agent agent = deliverableAgent(tenant, agentUid);
        Execution current = executions
                .find(agent.uid(), executionUid)
                .filter(execution -> execution.tenant().equals(tenant))
                .orElseThrow(NotFoundException::new);
        if (current.status() == ExecutionStatus.PENDING) {
            throw new ConflictException(
                    "A delivery of this execution is " + current.status().wire() + "; redeliver it once it has ended.");
        }
        Execution redelivered = current.redelivered(Timestamps.now(clock));
        String holder = java.util.UUID.randomUUID().toString();
        if (!executions.redeliver(current, redelivered, holder)) {
            // Running: a delivery holds it, unless a replay claimed it and stopped before queueing (claimed again).
            throw new ConflictException(
                    current.status() == ExecutionStatus.RUNNING
                            ? "A delivery of this execution is running; redeliver it once it has ended."
                            : "A delivery of this execution was started by another request.");
        }
        queue(List.of(redelivered), holder);
        return redelivered;
    }

    /**
     * Queues one more attempt of each failed execution of the agent whose event occurred in {@code requested} (and
     * of each a stopped replay left claimed); how many.
     */
    public int redeliverFailed(String tenant, String agentUid, ReplayWindow requested) {
        Agent agent = deliverableAgent(tenant, agentUid);
        Instant now = Timestamps.now(clock);
        ReplayWindow window = requested.at(now);
        int queued = 0;
        String holder = java.util.UUID.randomUUID().toString();
        Map<String, String> next = null;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            do {
                KeyedPage<Execution> page =
                        executions.listFailed(agent.uid(), window.since(), window.until(), next, now);
                List<Execution> claimed = claim(page.items(), now, holder, threads);
                queue(
                        claimed.stream()
                                .map(execution -> execution.redelivered(now))
                                .toList(),
                        holder);
                queued += claimed.size();
                next = page.lastKey();
            } while (next != null);
        }
        return queued;
    }

    /** The executions this call set running (another request may have claimed some first), in their order. */
    private List<Execution> claim(List<Execution> failed, Instant now, String holder, ExecutorService threads) {
        Semaphore slots = new Semaphore(PARALLEL_CLAIMS);
        List<Future<Boolean>> claims = new ArrayList<>();
        for (Execution execution : failed) {
            claims.add(threads.submit(() -> {
                slots.acquire();
                try {
                    return executions.redeliver(execution, execution.redelivered(now), holder);
                } finally {
                    slots.release();
                }
            }));
        }
        List<Execution> claimed = new ArrayList<>();
        for (int i = 0; i < failed.size(); i++) {
            if (Boolean.TRUE.equals(join(claims.get(i)))) {
                claimed.add(failed.get(i));
            }
        }
        return claimed;
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while claiming executions", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Queues the claimed executions' tasks; if that fails, their claims are ended at once (those a delivery has not
     * taken up meanwhile), so that the next replay or redelivery claims them again, and the failure is raised.
     */
    private void queue(List<Execution> claimed, String holder) {
        long now = clock.millis();
        List<DeliveryTask> tasks = claimed.stream()
                .map(execution -> new DeliveryTask(
                        execution.tenant(), execution.agentUid(), execution.uid(), execution.attempts(), now))
                .toList();
        try {
            deliveries.send(tasks, now);
        } catch (RuntimeException e) {
            for (Execution execution : claimed) {
                try {
                    executions.expireReplayClaim(execution, holder);
                } catch (RuntimeException alsoFailed) {
                    // The claim then runs out by itself (ExecutionLog.REPLAY_CLAIM).
                    e.addSuppressed(alsoFailed);
                }
            }
            throw e;
        }
    }

    /** The agent, if its executions can be delivered: it exists, has a callback URL and is active. */
    private Agent deliverableAgent(String tenant, String agentUid) {
        Agent agent = agents.findWithoutStats(tenant, agentUid).orElseThrow(NotFoundException::new);
        if (agent.pullMode()) {
            throw new ConflictException("This agent has no callback_url (pull mode): there is nothing to redeliver.");
        }
        if (!agent.active()) {
            throw new ConflictException("This agent is inactive"
                    + (agent.disabledReason() == null ? "" : " (" + agent.disabledReason() + ")")
                    + "; activate it (is_active: true) before redelivering.");
        }
        return agent;
    }
}
