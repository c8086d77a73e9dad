package ai.avala.agents.dispatch;

import ai.avala.agents.metrics.Metrics;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** A dead-letter queue that a function writes itself: the message as received, and why it can never be processed. */
public final class DeadLetterQueue {

    public static final String REASON_ATTRIBUTE = "failure_reason";
    private final SqsClient sqs;
    private final String url;
    private final String label;

    /** {@code label} names the queue in the {@code DeadLettered} metric's {@code Queue} dimension ("events", "deliveries"). */
    public DeadLetterQueue(SqsClient sqs, String url, String label) {
        this.sqs = sqs;
        this.url = url;
        this.label = label;
    }

    public void send(String body, String reason, String sourceMessageId) {
        String kept = body == null || body.isEmpty() ? "(empty message)" : body;
        sqs.sendMessage(r -> r.queueUrl(url)
                .messageBody(kept)
                .messageAttributes(Map.of(
                        REASON_ATTRIBUTE,
                        text(reason),
                        "source_message_id",
                        text(sourceMessageId == null ? "unknown" : sourceMessageId))));
        Metrics.line().dimension("Queue", label).add("DeadLettered", 1).emit();
    }

    static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder()
                .dataType("String")
                .stringValue(value)
                .build();
    }
}
