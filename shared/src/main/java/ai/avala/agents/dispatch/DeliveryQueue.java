package ai.avala.agents.dispatch;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The deliveries queue: one message per delivery task, grouped by tenant ({@code MessageGroupId}: on a
 * standard queue that makes it an SQS fair queue, so that one tenant's backlog does not hold back the
 * others' messages). A task due later than SQS's longest delay (900 s) is chained: it arrives early,
 * finds itself not due and is sent again.
 */
public final class DeliveryQueue {

    public static final int MAX_DELAY_SECONDS = 900;
    private final SqsClient sqs;
    private final String url;
    private final DeadLetterQueue deadLetters;

    public DeliveryQueue(SqsClient sqs, String url, String deadLetterUrl) {
        this.sqs = sqs;
        this.url = url;
        this.deadLetters = new DeadLetterQueue(sqs, deadLetterUrl, "deliveries");
    }

    public DeadLetterQueue deadLetters() {
        return deadLetters;
    }

    /** Sends the tasks, ten to a request; throws if any could not be sent (the caller's message is then retried). */
    public void send(List<DeliveryTask> tasks, long nowMillis) {
        for (int start = 0; start < tasks.size(); start += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            List<DeliveryTask> chunk = tasks.subList(start, Math.min(tasks.size(), start + 10));
            for (int i = 0; i < chunk.size(); i++) {
                DeliveryTask task = chunk.get(i);
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .messageBody(task.toJson())
                        .messageGroupId(task.tenant())
                        .delaySeconds(delaySeconds(task, nowMillis))
                        .build());
            }
            var failed =
                    sqs.sendMessageBatch(r -> r.queueUrl(url).entries(entries)).failed();
            if (!failed.isEmpty()) {
                BatchResultErrorEntry first = failed.get(0);
                throw new IllegalStateException(
                        failed.size() + " delivery task(s) could not be queued: " + first.code());
            }
        }
    }

    /** Sends one task so that it arrives at its due time, or as close as one delayed message allows. */
    public void send(DeliveryTask task, long nowMillis) {
        sqs.sendMessage(r -> r.queueUrl(url)
                .messageBody(task.toJson())
                .messageGroupId(task.tenant())
                .delaySeconds(delaySeconds(task, nowMillis)));
    }

    private static int delaySeconds(DeliveryTask task, long nowMillis) {
        long seconds = Math.max(0, (task.dueMillis() - nowMillis + 999) / 1000);
        return (int) Math.min(MAX_DELAY_SECONDS, seconds);
    }
}
