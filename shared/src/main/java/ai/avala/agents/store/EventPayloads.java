package ai.avala.agents.store;

import static ai.avala.agents.store.Attributes.number;
import static ai.avala.agents.store.Attributes.readString;
import static ai.avala.agents.store.Attributes.string;

import ai.avala.agents.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * The payload of an event whose executions call back, stored once for all of them, compressed, in an item of its own
 * of the executions table (partition {@code payload#<tenant>#<event time>#<event id>}). An execution then names it
 * ({@code payload_key}) instead of carrying it: DynamoDB bills a write by the whole item's size, and a delivery writes
 * its execution three times (recorded, leased, finished), so the payload would be paid for on each of them and again
 * for every agent the event matches. Written before the executions that name it, read back with a strongly
 * consistent read; it expires with them.
 */
public final class EventPayloads {

    static final String KEY_PREFIX = "payload#";
    private static final String UID = "payload";
    private static final int BATCH = 100;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public EventPayloads(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    /** The key that names the payload of the event {@code eventId} of {@code tenant} at {@code eventTimeMillis}. */
    public static String keyOf(String tenant, long eventTimeMillis, String eventId) {
        return KEY_PREFIX + tenant + "#" + eventTimeMillis + "#" + eventId;
    }

    /** Stores {@code payload} under {@code key} (the same payload again for a copy of the event: idempotent). */
    public void store(String key, Map<String, Object> payload, Instant createdAt) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("agent", string(key));
        item.put("uid", string(UID));
        item.put("payload", AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(deflate(Json.write(payload)))));
        item.put("expires_at", number(createdAt.plus(retention).getEpochSecond()));
        dynamo.putItem(r -> r.tableName(table).item(item));
    }

    /** The payload named by {@code key}, if it exists (one strongly consistent GetItem). */
    public java.util.Optional<Map<String, Object>> readOne(String key) {
        var item = dynamo.getItem(r ->
                        r.tableName(table).consistentRead(true).key(Map.of("agent", string(key), "uid", string(UID))))
                .item();
        return item != null && item.containsKey("payload")
                ? java.util.Optional.of(Json.parse(inflate(item.get("payload"))).toMap())
                : java.util.Optional.empty();
    }

    /** The payloads named by {@code keys} that exist, by key (strongly consistent BatchGetItems of 100). */
    public Map<String, Map<String, Object>> read(java.util.Collection<String> keys) {
        Map<String, Map<String, Object>> found = new HashMap<>();
        List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(keys));
        for (int start = 0; start < all.size(); start += BATCH) {
            List<Map<String, AttributeValue>> wanted = all.subList(start, Math.min(all.size(), start + BATCH)).stream()
                    .map(key -> Map.of("agent", string(key), "uid", string(UID)))
                    .toList();
            Map<String, KeysAndAttributes> request = Map.of(
                    table,
                    KeysAndAttributes.builder()
                            .keys(wanted)
                            .consistentRead(true)
                            .build());
            // DynamoDB may leave keys unprocessed under load: asked again, a few times, before giving up on them.
            for (int round = 0; round < 5 && !request.isEmpty(); round++) {
                Map<String, KeysAndAttributes> asked = request;
                var response = dynamo.batchGetItem(r -> r.requestItems(asked));
                response.responses()
                        .getOrDefault(table, List.of())
                        .forEach(item -> found.put(
                                readString(item, "agent"),
                                Json.parse(inflate(item.get("payload"))).toMap()));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return found;
    }

    static byte[] deflate(String json) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(json.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static String inflate(AttributeValue value) {
        if (value.s() != null) {
            return value.s();
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(value.b().asByteArrayUnsafe());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("A stored event payload is truncated");
                }
                out.write(buffer, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new IllegalStateException("A stored event payload is not deflated JSON", e);
        } finally {
            inflater.end();
        }
    }
}
