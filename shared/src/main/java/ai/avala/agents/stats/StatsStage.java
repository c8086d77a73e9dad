package ai.avala.agents.stats;

import ai.avala.agents.json.JsonValue;
import ai.avala.agents.log.Log;
import ai.avala.agents.store.ExecutionStatsStore;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Keeps every agent's {@code execution_stats} in step with its executions, a batch of the executions table's
 * stream records at a time, one write per agent per batch (see {@link StreamBatch} and
 * {@link ExecutionStatsStore}); what was counted already is not counted again.
 */
public final class StatsStage {

    private static final Log LOG = Log.of(StatsStage.class);
    private final ExecutionStatsStore stats;

    public StatsStage(ExecutionStatsStore stats) {
        this.stats = stats;
    }

    /**
     * Counts a batch's records; the sequence number to read the stream again from, when an agent's write
     * failed (the earliest such agent's first record), so that Lambda retries from there.
     */
    public Optional<BigInteger> count(JsonValue records) {
        List<BigInteger> failed = new ArrayList<>();
        for (StreamBatch.AgentCounts agent : StreamBatch.countsByAgent(records)) {
            try {
                count(agent);
            } catch (RuntimeException e) {
                LOG.warn("Counting the executions of agent " + agent.agentUid() + " failed; retried", e);
                failed.add(agent.firstSequence());
            }
        }
        return failed.stream().min(Comparator.naturalOrder());
    }

    /**
     * One write in the usual case. When it finds records of this batch counted already (a batch delivered
     * again, perhaps with more records), it reads how far the counts go and adds only what follows.
     */
    private void count(StreamBatch.AgentCounts agent) {
        if (stats.apply(agent.tenant(), agent.agentUid(), agent.delta(), agent.firstSequence(), agent.lastSequence())) {
            return;
        }
        var counted = stats.countedUpTo(agent.tenant(), agent.agentUid());
        if (counted.isEmpty()) {
            return; // the agent was deleted: its counts went with it
        }
        BigInteger upTo = counted.get().orElse(null);
        var rest = agent.deltaAfter(upTo);
        if (!rest.isNone()
                && (upTo == null || upTo.compareTo(agent.lastSequence()) < 0)
                && !stats.applyAfter(agent.tenant(), agent.agentUid(), rest, upTo, agent.lastSequence())) {
            throw new IllegalStateException("The counts of agent " + agent.agentUid() + " changed while being counted");
        }
    }
}
