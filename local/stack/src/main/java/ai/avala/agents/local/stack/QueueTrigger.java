package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.list;
import static ai.avala.agents.local.emulator.SamTemplate.map;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event source mapping for one function: long-polls the queue, invokes the function with
 * a batch event and deletes the messages it processed. With {@code ReportBatchItemFailures} only the
 * messages the function names as failed stay on the queue (and come back after the visibility
 * timeout); if the function throws, the whole batch stays.
 */
final class QueueTrigger implements Runnable {

    private static final Logger LOG = Logger.getLogger(QueueTrigger.class.getName());

    private final SqsClient sqs;
    private final LambdaFunctions.Function function;
    private final String queueUrl;
    private final String queueArn;
    private final int batchSize;
    private final boolean reportsFailures;
    private volatile boolean running = true;

    QueueTrigger(SqsClient sqs, LambdaFunctions.Function function, String queueUrl, String queueArn,
                 Map<String, Object> properties) {
        this.sqs = sqs;
        this.function = function;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.batchSize = properties.get("BatchSize") instanceof Number n ? Math.min(10, n.intValue()) : 10;
        this.reportsFailures = list(properties.get("FunctionResponseTypes")).contains("ReportBatchItemFailures");
    }

    static Map<String, Object> sqsProperties(Object event) {
        Map<String, Object> e = map(event);
        return "SQS".equals(e.get("Type")) ? map(e.get("Properties")) : null;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, "Polling " + queueUrl + " for " + function.id() + " failed; retrying", e);
                    pause();
                }
            }
        }
    }

    /** One receive-invoke-delete round. */
    private void pollOnce() {
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                .maxNumberOfMessages(batchSize)
                .waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        if (messages.isEmpty()) {
            return;
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(this::toRecord).toList());
        Set<String> failed = new HashSet<>();
        try {
            Object result = function.handler().handleRequest(event, new LocalContext(function.id(), function.timeoutMillis()));
            if (reportsFailures && result instanceof SQSBatchResponse response && response.getBatchItemFailures() != null) {
                response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, function.id() + " failed on a batch of " + messages.size() + "; it will be retried", e);
            return;
        }
        List<DeleteMessageBatchRequestEntry> done = messages.stream()
                .filter(m -> !failed.contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        if (!done.isEmpty()) {
            sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(done));
        }
        System.out.printf("SQS %s -> %s: %d message(s), %d failed%n", queueArn.substring(queueArn.lastIndexOf(':') + 1),
                function.id(), messages.size(), failed.size());
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
}
