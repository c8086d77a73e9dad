package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.list;
import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.local.emulator.LocalContext;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event source mapping for one function, as Lambda runs it: pollers gather batches (up to
 * {@code BatchSize}, waiting up to {@code MaximumBatchingWindowInSeconds} for a full one) and invoke the
 * function concurrently, up to {@code concurrency} invocations at once ({@code ScalingConfig.MaximumConcurrency}
 * by default). Only the messages a successful invocation did not name as failed are deleted. An invocation
 * that outlives the function's {@code Timeout} is abandoned as Lambda abandons it: its result is discarded
 * and its messages return to the queue after their visibility timeout. (A thread cannot be killed in one
 * JVM: the abandoned invocation is interrupted, but its side effects may go on locally.)
 */
final class QueueTrigger {

    private static final StackLog LOG = StackLog.of(QueueTrigger.class);
    private static final int POLLERS = 4;

    private final SqsClient sqs;
    private final LambdaFunctions.Function function;
    private final String queueUrl;
    private final String queueArn;
    private final int batchSize;
    private final long windowMillis;
    private final boolean reportsFailures;
    private final Semaphore slots;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final StopGate running = new StopGate();

    QueueTrigger(
            SqsClient sqs,
            LambdaFunctions.Function function,
            String queueUrl,
            String queueArn,
            Map<String, Object> properties,
            int concurrency) {
        this.sqs = sqs;
        this.function = function;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.batchSize = properties.get("BatchSize") instanceof Number n ? n.intValue() : 10;
        this.windowMillis =
                properties.get("MaximumBatchingWindowInSeconds") instanceof Number n ? n.longValue() * 1000 : 0;
        this.reportsFailures = list(properties.get("FunctionResponseTypes")).contains("ReportBatchItemFailures");
        this.slots = new Semaphore(concurrency);
    }

    static Map<String, Object> sqsProperties(Object event) {
        Map<String, Object> e = map(event);
        return "SQS".equals(e.get("Type")) ? map(e.get("Properties")) : null;
    }

    void start() {
        for (int i = 0; i < POLLERS; i++) {
            threads.submit(this::poll);
        }
    }

    /** Stops polling; once it returns, no batch is deleted or reported any more (one finishing waits for it). */
    void stop() {
        running.close();
        threads.shutdownNow();
    }

    private void poll() {
        while (running.isOpen()) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            boolean invoked = false;
            try {
                List<Message> batch = gather();
                if (!batch.isEmpty()) {
                    threads.submit(() -> {
                        try {
                            invoke(batch);
                        } finally {
                            slots.release();
                        }
                    });
                    invoked = true;
                }
            } catch (RuntimeException e) {
                running.ifOpen(() -> LOG.warn(
                        "Polling the queue failed; retrying", e, "queue", queueUrl, "function", function.id()));
                if (running.isOpen()) {
                    pause();
                }
            } finally {
                if (!invoked) {
                    slots.release();
                }
            }
        }
    }

    /** One batch: up to {@code batchSize} messages, waiting at most the batching window for more than the first. */
    private List<Message> gather() {
        // One ReceiveMessage returns at most 10 messages; a larger BatchSize is gathered over several, as Lambda does.
        List<Message> batch = new ArrayList<>(receive(Math.min(10, batchSize), 1));
        long deadline = System.currentTimeMillis() + windowMillis;
        while (!batch.isEmpty() && batch.size() < batchSize && running.isOpen()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            List<Message> more = receive(Math.min(10, batchSize - batch.size()), (int) Math.min(1, left / 1000));
            if (more.isEmpty() && left < 1000) {
                break;
            }
            batch.addAll(more);
        }
        return batch;
    }

    private List<Message> receive(int max, int waitSeconds) {
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                        .maxNumberOfMessages(max)
                        .waitTimeSeconds(waitSeconds)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All"))
                .messages();
    }

    private void invoke(List<Message> messages) {
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(this::toRecord).toList());
        Set<String> failed = new HashSet<>();
        Future<SQSBatchResponse> invocation = threads.submit(() -> function.invoke(
                event, SQSBatchResponse.class, new LocalContext(function.id(), function.timeoutMillis())));
        try {
            SQSBatchResponse response = invocation.get(function.timeoutMillis(), TimeUnit.MILLISECONDS);
            if (reportsFailures && response.getBatchItemFailures() != null) {
                response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
            }
        } catch (TimeoutException e) {
            invocation.cancel(true);
            running.ifOpen(() -> LOG.warn(
                    "The function timed out; its messages return to the queue after their visibility" + " timeout",
                    null,
                    "function",
                    function.id(),
                    "timeout_ms",
                    function.timeoutMillis(),
                    "messages",
                    messages.size()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            running.ifOpen(() -> LOG.error(
                    "The function failed on a batch; it will be retried",
                    e.getCause(),
                    "function",
                    function.id(),
                    "messages",
                    messages.size()));
            return;
        }
        // Stopped while it ran (interrupted, as Lambda abandons it): its messages stay on the queue, unreported.
        running.ifOpen(() -> {
            List<DeleteMessageBatchRequestEntry> done = messages.stream()
                    .filter(m -> !failed.contains(m.messageId()))
                    .map(m -> DeleteMessageBatchRequestEntry.builder()
                            .id(m.messageId())
                            .receiptHandle(m.receiptHandle())
                            .build())
                    .toList();
            if (!done.isEmpty()) {
                sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(done));
            }
            LOG.info(
                    "SQS batch",
                    "queue",
                    queueArn.substring(queueArn.lastIndexOf(':') + 1),
                    "function",
                    function.id(),
                    "messages",
                    messages.size(),
                    "failed",
                    failed.size());
        });
    }

    private SQSEvent.SQSMessage toRecord(Message message) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(message.messageId());
        record.setReceiptHandle(message.receiptHandle());
        record.setBody(message.body());
        record.setMd5OfBody(message.md5OfBody());
        record.setEventSource("aws:sqs");
        record.setEventSourceArn(queueArn);
        record.setAwsRegion("us-east-1");
        Map<String, String> attributes = new HashMap<>();
        message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
        record.setAttributes(attributes);
        Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
        message.messageAttributes().forEach((name, value) -> {
            SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
            attribute.setDataType(value.dataType());
            attribute.setStringValue(value.stringValue());
            if (value.binaryValue() != null) {
                attribute.setBinaryValue(ByteBuffer.wrap(value.binaryValue().asByteArray()));
            }
            messageAttributes.put(name, attribute);
        });
        record.setMessageAttributes(messageAttributes);
        return record;
    }

    private static void pause() {
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
