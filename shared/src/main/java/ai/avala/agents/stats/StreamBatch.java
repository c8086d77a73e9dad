package ai.avala.agents.stats;

import ai.avala.agents.json.JsonValue;
import ai.avala.agents.store.ExecutionStatsStore.Delta;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a batch of the executions table's stream records changes each agent's counts: a new execution adds
 * one to {@code total} and to its status's count; a change of status moves one from the old status's
 * count to the new one's ({@code pending} counts pending and running executions). Other items (event
 * claims) and removals (expiry) change nothing.
 */
final class StreamBatch {

    /** One agent's changes in a batch, each with the stream sequence number of its record. */
    record AgentCounts(String tenant, String agentUid, java.util.TreeMap<BigInteger, Delta> changes) {

        Delta delta() {
            return deltaAfter(null);
        }

        /** The changes of the records after {@code sequence} (all of them for null). */
        Delta deltaAfter(BigInteger sequence) {
            var after = sequence == null ? changes : changes.tailMap(sequence, false);
            return after.values().stream().reduce(Delta.NONE, Delta::plus);
        }

        BigInteger firstSequence() {
            return changes.firstKey();
        }

        BigInteger lastSequence() {
            return changes.lastKey();
        }
    }

    private StreamBatch() {}

    static List<AgentCounts> countsByAgent(JsonValue records) {
        Map<String, AgentCounts> byAgent = new LinkedHashMap<>();
        for (JsonValue record : records) {
            JsonValue change = record.path("dynamodb");
            String uid = change.path("Keys").path("uid").path("S").asText("");
            if (!uid.startsWith("exec_")) {
                continue;
            }
            JsonValue newImage = change.path("NewImage");
            JsonValue oldImage = change.path("OldImage");
            Delta delta = switch (record.path("eventName").asText()) {
                case "INSERT" -> count(status(newImage), 1).plus(new Delta(1, 0, 0, 0));
                case "MODIFY" ->
                    bucket(status(oldImage)).equals(bucket(status(newImage)))
                            ? Delta.NONE
                            : count(status(oldImage), -1).plus(count(status(newImage), 1));
                default -> Delta.NONE;
            };
            JsonValue image = newImage.isMissingNode() ? oldImage : newImage;
            String agentUid = change.path("Keys").path("agent").path("S").asText();
            String tenant = image.path("tenant").path("S").asText(null);
            BigInteger sequence = new BigInteger(change.path("SequenceNumber").asText("0"));
            if (tenant == null) {
                continue;
            }
            byAgent.computeIfAbsent(agentUid, a -> new AgentCounts(tenant, a, new java.util.TreeMap<>()))
                    .changes()
                    .merge(sequence, delta, Delta::plus);
        }
        List<AgentCounts> changed = new ArrayList<>();
        byAgent.values().stream().filter(counts -> !counts.delta().isNone()).forEach(changed::add);
        return changed;
    }

    private static String status(JsonValue image) {
        return image.path("status").path("S").asText("");
    }

    private static String bucket(String status) {
        return switch (status) {
            case "pending", "running" -> "pending";
            default -> status;
        };
    }

    private static Delta count(String status, long by) {
        return switch (bucket(status)) {
            case "pending" -> new Delta(0, 0, 0, by);
            case "success" -> new Delta(0, by, 0, 0);
            case "failed" -> new Delta(0, 0, by, 0);
            default -> Delta.NONE;
        };
    }
}
