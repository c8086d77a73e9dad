package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.local.emulator.LocalResources;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A stack started without triggers reads none of its queues (the cold-start bench runs on one, so that no
 * poller and no delivery left behind by a measured request runs beside the next cold start).
 */
class QuietStackTest {

    @Test
    void aStackWithoutTriggers_shouldPollNothingAndLeaveAQueuedEventThere() throws Exception {
        try (DevStack quiet =
                        DevStack.start(Options.of(0, null, Map.of(), false).withoutTriggers());
                SqsClient sqs = LocalResources.sqs(quiet.resources().aws())) {
            sqs.sendMessage(
                    r -> r.queueUrl(quiet.queueUrl())
                            .messageBody(
                                    "{\"id\": \"evt_quiet\", \"type\": \"task.completed\", \"tenant\": \"quiet\", \"task\": \"t\"}"));

            assertThat(quiet.triggeredFunctions()).isEmpty();
            var waiting = sqs.receiveMessage(r -> r.queueUrl(quiet.queueUrl()).waitTimeSeconds(1));
            assertThat(waiting.messages())
                    .singleElement()
                    .satisfies(message -> assertThat(message.body()).contains("evt_quiet"));
        }
    }

    @Test
    void aStackWithTriggers_shouldPollEveryQueueAndStreamOfTheTemplate() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), false))) {
            assertThat(stack.triggeredFunctions())
                    .containsExactlyInAnyOrder("DispatcherFunction", "DeliveryFunction", "StatsFunction");
        }
    }
}
