package ai.avala.agents.dispatch;

import ai.avala.agents.lambda.QueueMessage;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The events queue, as the dispatcher writes to it: an event a dependency failed after the SDK's retries is
 * sent again, as it came, delayed by seconds and counting its sendings, instead of waiting out the queue's
 * visibility timeout (and counting a receive towards its dead-letter queue).
 */
public final class EventQueue {

    private final SqsClient sqs;
    private final String url;

    public EventQueue(SqsClient sqs, String url) {
        this.sqs = sqs;
        this.url = url;
    }

    public void sendAgain(QueueMessage message, int delaySeconds) {
        sqs.sendMessage(r -> r.queueUrl(url)
                .messageBody(message.body())
                .delaySeconds(delaySeconds)
                .messageAttributes(Map.of(
                        QueueMessage.TRANSIENT_RETRIES,
                        MessageAttributeValue.builder()
                                .dataType("Number")
                                .stringValue(Integer.toString(message.transientRetries() + 1))
                                .build())));
    }
}
