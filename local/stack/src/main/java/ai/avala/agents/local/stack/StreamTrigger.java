package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.LocalContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Lambda's DynamoDB stream event source mapping for one function: reads each shard of the table's stream
 * from its start, gathers up to {@code BatchSize} records for at most {@code MaximumBatchingWindowInSeconds},
 * and invokes the function with the stream event's JSON. On reported failures ({@code batchItemFailures})
 * or an error it reads again from the first failed record, as Lambda does.
 */
final class StreamTrigger implements Runnable {

    private static final StackLog LOG = StackLog.of(StreamTrigger.class);
    private final DynamoDbStreamsClient streams;
    private final LambdaFunctions.Function function;
    private final String streamArn;
    private final int batchSize;
    private final long windowMillis;
    private final StopGate running = new StopGate();

    StreamTrigger(
            DynamoDbStreamsClient streams,
            LambdaFunctions.Function function,
            String streamArn,
            Map<String, Object> properties) {
        this.streams = streams;
        this.function = function;
        this.streamArn = streamArn;
        this.batchSize = properties.get("BatchSize") instanceof Number n ? Math.min(1000, n.intValue()) : 100;
        this.windowMillis =
                properties.get("MaximumBatchingWindowInSeconds") instanceof Number n ? n.longValue() * 1000 : 0;
    }

    static Map<String, Object> streamProperties(Object event) {
        Map<String, Object> e = map(event);
        return "DynamoDB".equals(e.get("Type")) ? map(e.get("Properties")) : null;
    }

    /** Stops reading; once it returns, no batch is reported any more. */
    void stop() {
        running.close();
    }

    @Override
    public void run() {
        Map<String, String> iterators = new LinkedHashMap<>();
        long nextDescribe = 0;
        while (running.isOpen()) {
            try {
                if (System.currentTimeMillis() >= nextDescribe) {
                    // New shards are rare: look for them every few seconds, not on every read.
                    for (var shard : streams.describeStream(r -> r.streamArn(streamArn))
                            .streamDescription()
                            .shards()) {
                        iterators.computeIfAbsent(
                                shard.shardId(),
                                id -> streams.getShardIterator(r -> r.streamArn(streamArn)
                                                .shardId(id)
                                                .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                                        .shardIterator());
                    }
                    nextDescribe = System.currentTimeMillis() + 5000;
                }
                boolean any = false;
                for (var entry : iterators.entrySet()) {
                    if (entry.getValue() != null) {
                        any |= pollShard(entry);
                    }
                }
                if (!any) {
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                running.ifOpen(() -> LOG.warn(
                        "Reading the stream failed; retrying", e, "stream", streamArn, "function", function.id()));
                if (running.isOpen()) {
                    sleep();
                }
            }
        }
    }

    /** Reads one shard's next batch and invokes the function with it; true if there were records. */
    private boolean pollShard(Map.Entry<String, String> shard) throws InterruptedException {
        List<Record> records = new ArrayList<>();
        String iterator = shard.getValue();
        long deadline = System.currentTimeMillis() + windowMillis;
        do {
            String from = iterator;
            var response = streams.getRecords(r -> r.shardIterator(from).limit(batchSize - records.size()));
            records.addAll(response.records());
            iterator = response.nextShardIterator();
            if (records.size() < batchSize && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
        } while (iterator != null
                && running.isOpen()
                && records.size() < batchSize
                && System.currentTimeMillis() < deadline);
        if (records.isEmpty()) {
            shard.setValue(iterator);
            return false;
        }
        String failedFrom = invoke(records);
        if (failedFrom == null) {
            shard.setValue(iterator);
        } else {
            shard.setValue(streams.getShardIterator(r -> r.streamArn(streamArn)
                            .shardId(shard.getKey())
                            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                            .sequenceNumber(failedFrom))
                    .shardIterator());
            sleep();
        }
        return true;
    }

    /** Invokes the function; the sequence number to read again from, or null when the batch is done. */
    private String invoke(List<Record> records) {
        List<Map<String, Object>> events = records.stream().map(this::toEvent).toList();
        byte[] input = Json.write(Map.of("Records", events)).getBytes(StandardCharsets.UTF_8);
        try {
            byte[] output = function.invoke(input, new LocalContext(function.id(), function.timeoutMillis()));
            JsonValue failures =
                    Json.parse(new String(output, StandardCharsets.UTF_8)).path("batchItemFailures");
            running.ifOpen(() -> LOG.info(
                    "DynamoDB stream batch",
                    "function",
                    function.id(),
                    "records",
                    records.size(),
                    "failed",
                    failures.size()));
            return failures.isEmpty()
                    ? null
                    : failures.get(0).path("itemIdentifier").asText();
        } catch (RuntimeException e) {
            running.ifOpen(() -> LOG.error(
                    "The function failed on stream records; retrying",
                    e,
                    "function",
                    function.id(),
                    "records",
                    records.size()));
            return records.get(0).dynamodb().sequenceNumber();
        }
    }

    private Map<String, Object> toEvent(Record record) {
        var change = record.dynamodb();
        Map<String, Object> dynamodb = new LinkedHashMap<>();
        dynamodb.put("Keys", image(change.keys()));
        if (change.hasNewImage()) {
            dynamodb.put("NewImage", image(change.newImage()));
        }
        if (change.hasOldImage()) {
            dynamodb.put("OldImage", image(change.oldImage()));
        }
        dynamodb.put("SequenceNumber", change.sequenceNumber());
        dynamodb.put("StreamViewType", change.streamViewTypeAsString());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("eventID", record.eventID());
        event.put("eventName", record.eventNameAsString());
        event.put("eventSource", "aws:dynamodb");
        event.put("awsRegion", "us-east-1");
        event.put("dynamodb", dynamodb);
        event.put("eventSourceARN", streamArn);
        return event;
    }

    /** An item in DynamoDB's JSON form ({@code {"S": ...}}, {@code {"N": ...}}, ...), as Lambda passes it. */
    private static Map<String, Object> image(Map<String, AttributeValue> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        item.forEach((name, value) -> out.put(name, value(value)));
        return out;
    }

    private static Object value(AttributeValue value) {
        if (value.s() != null) {
            return Map.of("S", value.s());
        }
        if (value.n() != null) {
            return Map.of("N", value.n());
        }
        if (value.bool() != null) {
            return Map.of("BOOL", value.bool());
        }
        if (Boolean.TRUE.equals(value.nul())) {
            return Map.of("NULL", true);
        }
        if (value.hasL()) {
            return Map.of("L", value.l().stream().map(StreamTrigger::value).toList());
        }
        if (value.hasM()) {
            return Map.of("M", image(value.m()));
        }
        return Map.of("NULL", true);
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The function this trigger invokes. */
    String functionId() {
        return function.id();
    }
}
