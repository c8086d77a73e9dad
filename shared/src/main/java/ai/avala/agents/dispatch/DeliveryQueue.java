package ai.avala.agents.dispatch;

import ai.avala.agents.aws.PartialBatchFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** Sends of a batch's entries that SQS failed on its side (100, 200, 400 ms apart) before giving up. */
    private static final int RESEND_ROUNDS = 4;

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

    /**
     * Sends the tasks, ten to a request. Entries SQS failed on its side are sent again (a few times, within about a
     * second); throws if any could not be sent (the caller's message is then retried): {@link PartialBatchFailure},
     * transient, when SQS kept failing them, {@link IllegalStateException} when it refused one as malformed.
     */
    public void send(List<DeliveryTask> tasks, long nowMillis) {
        for (int start = 0; start < tasks.size(); start += 10) {
            Map<String, SendMessageBatchRequestEntry> pending = new LinkedHashMap<>();
            List<DeliveryTask> chunk = tasks.subList(start, Math.min(tasks.size(), start + 10));
            for (int i = 0; i < chunk.size(); i++) {
                DeliveryTask task = chunk.get(i);
                pending.put(
                        Integer.toString(i),
                        SendMessageBatchRequestEntry.builder()
                                .id(Integer.toString(i))
                                .messageBody(task.toJson())
                                .messageGroupId(task.tenant())
                                .delaySeconds(delaySeconds(task, nowMillis))
                                .build());
            }
            sendAll(pending);
        }
    }

    private void sendAll(Map<String, SendMessageBatchRequestEntry> pending) {
        for (int round = 1; ; round++) {
            List<SendMessageBatchRequestEntry> entries = List.copyOf(pending.values());
            List<BatchResultErrorEntry> failed =
                    sqs.sendMessageBatch(r -> r.queueUrl(url).entries(entries)).failed();
            if (failed.isEmpty()) {
                return;
            }
            BatchResultErrorEntry first = failed.get(0);
            if (failed.stream().anyMatch(BatchResultErrorEntry::senderFault)) {
                throw new IllegalStateException(
                        failed.size() + " delivery task(s) were refused by SQS: " + first.code());
            }
            if (round == RESEND_ROUNDS) {
                throw new PartialBatchFailure(failed.size() + " delivery task(s) could not be queued: " + first.code());
            }
            pending.keySet()
                    .retainAll(failed.stream().map(BatchResultErrorEntry::id).toList());
            try {
                Thread.sleep(50L << round);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PartialBatchFailure("Interrupted while queueing delivery tasks again.");
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
