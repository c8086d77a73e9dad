package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.local.emulator.LocalResources;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A stack started without triggers reads none of its queues (the cold-start bench runs on one, so that no
 * poller and no delivery left behind by a measured request runs beside the next cold start).
 */
class QuietStackTest {

    @Test
    void aStackWithoutTriggers_shouldLeaveAQueuedEventUnread() throws Exception {
        try (DevStack stack =
                        DevStack.start(Options.of(0, null, Map.of(), false).withoutTriggers());
                SqsClient sqs = LocalResources.sqs(stack.resources().aws())) {
            sqs.sendMessage(r -> r.queueUrl(stack.queueUrl())
                    .messageBody("{\"id\": \"evt_quiet\", \"type\": \"task.completed\", \"tenant\": \"quiet\"}"));
            // A started trigger receives within a second (its long poll lasts one); give it three.
            Thread.sleep(3000);
            Map<QueueAttributeName, String> counts = sqs.getQueueAttributes(r -> r.queueUrl(stack.queueUrl())
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            assertThat(counts)
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "1")
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0");
        }
    }
}
