package ai.avala.agents.functions.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.delivery.ExecutionSweep;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.local.emulator.ExecutionSeeds;
import ai.avala.agents.local.emulator.LambdaEvents;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.local.emulator.LocalContext;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.store.SweepMarks;
import ai.avala.agents.wiring.Wiring;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The sweep: each way an execution can lose its task, found through the sparse index alone, queued again or ended
 * in bounded time; what something still owns is left to it.
 */
class SweepHandlerTest {

    private static final SqsClient SQS = LocalResources.sqs(LocalAws.shared().aws());
    /** A deliveries queue of this class's own, so that what the sweep queued can be read back whole. */
    private static final String QUEUE = SQS.createQueue(r -> r.queueName("test-only-deliveries-" + UUID.randomUUID()))
            .queueUrl();

    private static final Wiring STORE = LocalAws.wiringFor("SweepFunction", Map.of());
    private final ExecutionLog executions = STORE.executions();
    private final SweepMarks marks = STORE.sweepMarks();

    @AfterAll
    static void close() {
        SQS.close();
    }

    /** One run of the sweep as its schedule starts it, on a clock reading {@code at}. */
    private static void sweepAt(Instant at) {
        var handler = new SweepHandler(new Wiring(
                Configuration.from(LocalAws.environmentFor("SweepFunction", Map.of("DELIVERIES_QUEUE_URL", QUEUE))),
                Clock.fixed(at, ZoneOffset.UTC)));
        byte[] answer = LambdaEvents.invoke(
                handler,
                "{\"detail-type\": \"Scheduled Event\", \"source\": \"aws.events\", \"detail\": {}}"
                        .getBytes(StandardCharsets.UTF_8),
                new LocalContext("SweepFunction", 60_000));
        assertThat(new String(answer, StandardCharsets.UTF_8)).contains("\"queued\"");
    }

    private Execution stored(Execution execution) {
        return executions.find(execution.agentUid(), execution.uid()).orElseThrow();
    }

    /** Whether the sweep's index still holds {@code execution} (due at any time up to a day from now). */
    private boolean marked(Execution execution) {
        List<SweepMarks.Due> due = new ArrayList<>();
        SweepMarks.Due after = null;
        for (List<SweepMarks.Due> page;
                !(page = marks.due(Instant.now().plus(Duration.ofDays(1)), after, 100)).isEmpty(); ) {
            due.addAll(page);
            after = page.get(page.size() - 1);
        }
        return due.stream().anyMatch(d -> d.uid().equals(execution.uid()));
    }

    /** The tasks the sweep queued for any of {@code wanted} since the last look (the queue is emptied). */
    private static List<DeliveryTask> queuedFor(Execution... wanted) {
        List<String> uids = java.util.Arrays.stream(wanted).map(Execution::uid).toList();
        List<DeliveryTask> found = new ArrayList<>();
        for (int empty = 0; empty < 2; ) {
            List<Message> messages = SQS.receiveMessage(
                            r -> r.queueUrl(QUEUE).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            if (messages.isEmpty()) {
                empty++;
                continue;
            }
            for (Message message : messages) {
                DeliveryTask task = parse(message.body());
                if (uids.contains(task.execution())) {
                    found.add(task);
                }
            }
            SQS.deleteMessageBatch(r -> r.queueUrl(QUEUE)
                    .entries(messages.stream()
                            .map(m -> DeleteMessageBatchRequestEntry.builder()
                                    .id(m.messageId())
                                    .receiptHandle(m.receiptHandle())
                                    .build())
                            .toList()));
        }
        return found;
    }

    private static DeliveryTask parse(String body) {
        try {
            return DeliveryTask.parse(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReplayStoppedBetweenItsClaimAndTheQueueing_shouldHaveTheTaskQueuedOnceTheClaimRunsOut() {
        Instant now = Instant.now();
        Execution failed = ExecutionSeeds.of(ExecutionStatus.FAILED, now.minus(Duration.ofHours(1)));
        executions.create(failed);
        // The replay claimed it, then stopped (its function timed out) before queueing the task.
        assertThat(executions.redeliver(failed, failed.redelivered(now), "replay-that-stopped"))
                .isTrue();

        sweepAt(now.plusSeconds(60));
        assertThat(queuedFor(failed))
                .as("the claim still holds it: its replay may yet queue the task")
                .isEmpty();
        sweepAt(now.plus(ExecutionLog.REPLAY_CLAIM).plusSeconds(1));

        assertThat(queuedFor(failed))
                .as("queued again for its next attempt, once the claim ran out")
                .singleElement()
                .satisfies(task -> {
                    assertThat(task.agent()).isEqualTo(failed.agentUid());
                    assertThat(task.attemptsMade()).isEqualTo(1);
                });
        assertThat(stored(failed).status()).isEqualTo(ExecutionStatus.RUNNING);
    }

    @Test
    void anExecutionADeliveryFinished_shouldLeaveTheIndex_andNeverBeQueuedAgain() {
        Instant now = Instant.now();
        Execution failed = ExecutionSeeds.of(ExecutionStatus.FAILED, now.minus(Duration.ofHours(1)));
        executions.create(failed);
        executions.redeliver(failed, failed.redelivered(now), "replay");
        assertThat(marked(failed)).as("a replay's claim is marked").isTrue();

        // Its task was queued and a delivery took it up (a lease on an early receive), then finished it.
        Execution leased = executions
                .lease(failed.agentUid(), failed.uid(), 1, now.plusSeconds(60), now)
                .orElseThrow();
        assertThat(marked(failed)).as("a lease's task owns it").isFalse();
        executions.finish(leased, leased.finished(ExecutionStatus.SUCCESS, null, null, null, null, now.plusSeconds(1)));
        sweepAt(now.plus(Duration.ofHours(2)));

        assertThat(queuedFor(failed)).isEmpty();
        assertThat(stored(failed).status()).isEqualTo(ExecutionStatus.SUCCESS);
        assertThat(marked(failed)).isFalse();
    }

    @Test
    void aLeaseHolderThatDiedOnItsTasksLastReceive_shouldHaveTheTaskQueuedAgain_thenEndFailedWhenNothingTakesItUp() {
        Instant now = Instant.now();
        Execution running = ExecutionSeeds.of(ExecutionStatus.RUNNING, now);
        executions.create(running);
        // The delivery on the task's last receive leased it and died there (Lambda stopped it at its timeout): SQS
        // dead-letters the task, and nothing else would end the execution.
        executions
                .lease(running.agentUid(), running.uid(), 0, now.plusSeconds(60), now, true)
                .orElseThrow();

        sweepAt(now.plusSeconds(30));
        assertThat(queuedFor(running)).as("its lease still holds it").isEmpty();
        sweepAt(now.plusSeconds(61));
        assertThat(queuedFor(running))
                .as("the first attempt, queued again once the lease ran out")
                .singleElement()
                .satisfies(task -> assertThat(task.attemptsMade()).isZero());

        Instant second = now.plusSeconds(62).plus(ExecutionSweep.REQUEUE_AFTER);
        sweepAt(second);
        assertThat(queuedFor(running))
                .as("no delivery took it up: queued once more")
                .hasSize(1);
        sweepAt(second.plus(ExecutionSweep.REQUEUE_AFTER).plusSeconds(1));

        assertThat(queuedFor(running))
                .as("given up after " + ExecutionSweep.MAX_REQUEUES)
                .isEmpty();
        Execution ended = stored(running);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.errorMessage()).contains("redeliver it");
        assertThat(marked(running)).isFalse();
    }

    @Test
    void executionsAnEventRecordedOnItsLastReceive_shouldHaveTheirTasksQueued_andPullModeOnesLeftToTheirPolls() {
        Instant now = Instant.now();
        Instant sweepAt = now.plus(ExecutionSweep.REQUEUE_AFTER);
        Execution callback = ExecutionSeeds.of(ExecutionStatus.RUNNING, now);
        Execution pull = ExecutionSeeds.of(ExecutionStatus.PENDING, now);
        // As the matching stage records them on an event's last receive; the event then failed and was dead-lettered
        // before the callback's task was queued.
        executions.create(callback, sweepAt);
        executions.create(pull, sweepAt);

        sweepAt(now.plusSeconds(60));
        assertThat(queuedFor(callback))
                .as("not before its time: the task may be on its way")
                .isEmpty();
        sweepAt(sweepAt.plusSeconds(1));

        List<DeliveryTask> queued = queuedFor(callback, pull);
        assertThat(queued).singleElement().satisfies(task -> {
            assertThat(task.execution()).isEqualTo(callback.uid());
            assertThat(task.tenant()).isEqualTo(callback.tenant());
            assertThat(task.attemptsMade()).isZero();
        });
        assertThat(stored(pull).status())
                .as("a pull-mode execution is its agent's polls'")
                .isEqualTo(ExecutionStatus.PENDING);
        assertThat(marked(pull)).isFalse();
    }
}
