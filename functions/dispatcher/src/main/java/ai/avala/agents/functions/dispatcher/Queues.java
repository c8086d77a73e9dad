package ai.avala.agents.functions.dispatcher;

import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The dispatcher's writes to its queues: delayed retry messages back onto the events queue (SQS
 * delays at most 900 s, so longer waits are chained), and unprocessable messages onto the dead-letter
 * queue with the reason attached.
 */
final class Queues {

    static final int MAX_DELAY_SECONDS = 900;
    static final String REASON_ATTRIBUTE = "failure_reason";
    private final SqsClient sqs;
    private final String eventsQueueUrl;
    private final String deadLetterQueueUrl;

    Queues(SqsClient sqs, String eventsQueueUrl, String deadLetterQueueUrl) {
        this.sqs = sqs;
        this.eventsQueueUrl = eventsQueueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
    }

    /** Sends {@code retry} so that it arrives at its due time, or as close as one delayed message allows. */
    void scheduleRetry(RetryMessage retry, long nowMillis) {
        long seconds = Math.max(0, (retry.dueMillis() - nowMillis + 999) / 1000);
        int delay = (int) Math.min(MAX_DELAY_SECONDS, seconds);
        sqs.sendMessage(r -> r.queueUrl(eventsQueueUrl)
                .messageBody(retry.toJson())
                .delaySeconds(delay)
                .messageAttributes(Map.of(RetryMessage.TYPE_ATTRIBUTE, text(RetryMessage.TYPE))));
    }

    void deadLetter(String body, String reason, String sourceMessageId) {
        String kept = body == null ? "" : body;
        sqs.sendMessage(r -> r.queueUrl(deadLetterQueueUrl)
                .messageBody(kept.isEmpty() ? "(empty message)" : kept)
                .messageAttributes(Map.of(
                        REASON_ATTRIBUTE, text(reason),
                        "source_message_id", text(sourceMessageId == null ? "unknown" : sourceMessageId))));
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
