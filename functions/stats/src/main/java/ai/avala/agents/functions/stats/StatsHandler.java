package ai.avala.agents.functions.stats;

import ai.avala.agents.config.Environment;
import ai.avala.agents.config.Wiring;
import ai.avala.agents.json.Json;
import ai.avala.agents.store.ExecutionStatsStore;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import ai.avala.agents.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ai.avala.agents.config.Log;

/**
 * The executions table's stream consumer: keeps every agent's {@code execution_stats} in step with its
 * executions, a batch of stream records at a time, one write per agent per batch (see
 * {@link StreamBatch} and {@link ExecutionStatsStore}). A write that fails names its first record in
 * {@code batchItemFailures}, so Lambda retries from there; what was counted already is not counted again.
 */
public final class StatsHandler implements RequestStreamHandler {

    private static final Log LOG = Log.of(StatsHandler.class);
    private final ExecutionStatsStore stats;

    public StatsHandler() {
        this(Environment.system());
    }

    public StatsHandler(Environment env) {
        this.stats = new Wiring(env).stats();
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
        if (!rest.isNone() && (upTo == null || upTo.compareTo(agent.lastSequence()) < 0)
                && !stats.applyAfter(agent.tenant(), agent.agentUid(), rest, upTo, agent.lastSequence())) {
            throw new IllegalStateException("The counts of agent " + agent.agentUid() + " changed while being counted");
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Log.startInvocation(context);
        JsonValue event = Json.parse(input);
        List<StreamBatch.AgentCounts> counts = StreamBatch.countsByAgent(event.path("Records"));
        List<String> failed = new ArrayList<>();
        for (StreamBatch.AgentCounts agent : counts) {
            try {
                count(agent);
            } catch (RuntimeException e) {
                LOG.warn("Counting the executions of agent " + agent.agentUid() + " failed; retried", e);
                failed.add(agent.firstSequence().toString());
            }
        }
        Map<String, Object> response = new LinkedHashMap<>();
        // Lambda retries from the earliest failed record; later ones already counted are skipped then.
        response.put("batchItemFailures", failed.stream().sorted(java.util.Comparator.comparing(java.math.BigInteger::new))
                .limit(1).map(sequence -> Map.of("itemIdentifier", sequence)).toList());
        output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
    }
}
