package ai.avala.agents.functions.redeliverfailed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.local.emulator.ReadCounter;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.wiring.Wiring;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** A replay reads the executions of its window only, and never sends a test call again. */
class RedeliverFailedHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("RedeliverFailedFunction", Map.of());
    private final RedeliverFailedHandler handler = new RedeliverFailedHandler(WIRING);
    private final String table = WIRING.config().executionsTable().orElseThrow();
    private final ExecutionLog log = new ExecutionLog(WIRING.dynamo(), table, Duration.ofDays(30));

    /** An execution of an event that occurred at {@code eventTime}, finished with {@code status}. */
    private Execution record(String tenant, String agent, Instant eventTime, ExecutionStatus status, boolean test) {
        String eventId = "evt_" + UUID.randomUUID();
        String uid = Ids.executionUid(eventTime.toEpochMilli(), tenant, eventId, agent);
        Execution execution = new Execution(
                uid,
                agent,
                tenant,
                test ? "test:" + uid : eventId,
                test ? Execution.TEST_EVENT_TYPE : "task.completed",
                "task_1",
                null,
                status,
                null,
                Map.of("task_uid", "task_1"),
                null,
                status == ExecutionStatus.FAILED ? "Callback answered 503." : null,
                1,
                eventTime,
                eventTime,
                eventTime,
                eventTime,
                List.of(),
                null);
        log.create(execution);
        return execution;
    }

    private String agent(String tenant) {
        return LocalAws.wiringFor("CreateAgentFunction", Map.of())
                .agentService()
                .register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Replayed\", \"callback_url\": \"https://hooks.example.com/r\"}"))
                .agent()
                .uid();
    }

    private int replay(String tenant, String agent, Instant since) {
        var event = LocalAws.apiEvent("redeliver-failed.json", tenant, agent);
        event.setBody("{\"since\": \"" + since + "\"}");
        var response = LocalAws.invoke(handler, event);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        return Json.parse(response.getBody()).get("queued").asInt();
    }

    @Test
    void aReplayStoppedBetweenClaimAndQueue_shouldLeaveNothingTheNextReplayOrARedeliveryDoesNotTakeUp() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agent(tenant);
        Instant now = Instant.now();
        Execution first = record(tenant, agent, now.minus(Duration.ofMinutes(10)), ExecutionStatus.FAILED, false);
        Execution second = record(tenant, agent, now.minus(Duration.ofMinutes(9)), ExecutionStatus.FAILED, false);
        // A replay claimed both longer ago than a claim lasts and stopped before it queued their tasks.
        Instant stopped = now.minus(ExecutionLog.REPLAY_CLAIM).minusSeconds(60);
        assertThat(log.redeliver(first, first.redelivered(stopped), "a stopped replay"))
                .isTrue();
        assertThat(log.redeliver(second, second.redelivered(stopped), "a stopped replay"))
                .isTrue();
        assertThat(log.find(agent, first.uid()).orElseThrow().status()).isEqualTo(ExecutionStatus.RUNNING);

        var redelivered = WIRING.redeliveries().redeliver(tenant, agent, first.uid());
        int replayed = replay(tenant, agent, now.minus(Duration.ofHours(1)));

        assertThat(redelivered.status()).as("redelivered, not 409 forever").isEqualTo(ExecutionStatus.RUNNING);
        assertThat(replayed)
                .as("the other stranded one, claimed again and queued")
                .isEqualTo(1);
        assertThat(replay(tenant, agent, now.minus(Duration.ofHours(1))))
                .as("both are now owned by their queued tasks: not claimed a third time")
                .isZero();
        assertThat(queuedTasks()).as("a task of each on the deliveries queue").contains(first.uid(), second.uid());
    }

    /** Sets a finished execution running as a claim made before claims had an expiry did: no replay_until. */
    private void claimWithoutExpiry(Execution finished, Instant at) {
        WIRING.dynamo()
                .updateItem(r -> r.tableName(table)
                        .key(Map.of(
                                "agent",
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                        finished.agentUid()),
                                "uid",
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(finished.uid())))
                        .updateExpression("SET #status = :running, next_attempt_at = :at, updated_at = :at")
                        .expressionAttributeNames(Map.of("#status", "status"))
                        .expressionAttributeValues(Map.of(
                                ":running",
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("running"),
                                ":at",
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                        ai.avala.agents.json.Timestamps.format(at)))));
    }

    @Test
    void aClaimWithoutAnExpiryLongOverdue_shouldBeClaimedAgainByAReplay_butARunningRetryShouldNot() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agent(tenant);
        Instant now = Instant.now();
        Execution legacy = record(tenant, agent, now.minus(Duration.ofHours(3)), ExecutionStatus.FAILED, false);
        Execution retrying = record(tenant, agent, now.minus(Duration.ofHours(3)), ExecutionStatus.FAILED, false);
        claimWithoutExpiry(legacy, now.minus(Duration.ofHours(2)));
        // Running, its next attempt due in a minute: its delayed task owns it.
        claimWithoutExpiry(retrying, now.plus(Duration.ofMinutes(1)));
        queuedTasks();

        int replayed = replay(tenant, agent, now.minus(Duration.ofHours(4)));

        assertThat(replayed).as("the overdue claim only").isEqualTo(1);
        assertThat(queuedTasks()).containsExactly(legacy.uid());
        var whileRetrying =
                LocalAws.wiringFor("RedeliverFailedFunction", Map.of()).redeliveries();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> whileRetrying.redeliver(tenant, agent, retrying.uid()))
                .isInstanceOf(ai.avala.agents.errors.ConflictException.class);
    }

    /** The executions of the delivery tasks now on the deliveries queue (taken off it). */
    private static List<String> queuedTasks() {
        String url =
                LocalAws.environmentFor("RedeliverFailedFunction", Map.of()).get("DELIVERIES_QUEUE_URL");
        List<String> executions = new java.util.ArrayList<>();
        try (var sqs = ai.avala.agents.local.emulator.LocalResources.sqs(
                LocalAws.shared().aws())) {
            for (int empty = 0; empty < 2; ) {
                var messages = sqs.receiveMessage(
                                r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                        .messages();
                if (messages.isEmpty()) {
                    empty++;
                }
                for (var message : messages) {
                    executions.add(Json.parse(message.body()).get("execution").asText());
                    sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
                }
            }
        }
        return executions;
    }

    @Test
    void aReplayOverAnAgentWithThousandsOfExecutions_shouldReadItsWindowOnly_andLeaveTestCallsOut() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agent(tenant);
        Instant now = Instant.now();
        Instant since = now.minus(Duration.ofHours(1));
        try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 4_900; i++) {
                // Older than the window (and its failures too): 8 to 20 days back.
                Instant old = now.minus(Duration.ofDays(8)).minusSeconds(i * 200L);
                ExecutionStatus status = i % 10 == 0 ? ExecutionStatus.FAILED : ExecutionStatus.SUCCESS;
                threads.submit(() -> record(tenant, agent, old, status, false));
            }
            for (int i = 0; i < 50; i++) {
                Instant recent = since.plusSeconds(60L + i);
                threads.submit(() -> record(tenant, agent, recent, ExecutionStatus.FAILED, false));
                threads.submit(() -> record(tenant, agent, recent, ExecutionStatus.SUCCESS, false));
            }
            threads.submit(() -> record(tenant, agent, since.plusSeconds(30), ExecutionStatus.FAILED, true));
        }

        try (ReadCounter reads = new ReadCounter()) {
            var window = new ExecutionLog(reads.dynamoDb(), table, Duration.ofDays(30));
            var failed = window.listFailed(agent, since, now, null, now);

            assertThat(failed.items())
                    .hasSize(50)
                    .allSatisfy(e -> assertThat(e.eventType()).isEqualTo("task.completed"));
            assertThat(reads.itemsRead())
                    .as("the executions of the window (101), not the agent's 5,001")
                    .isLessThanOrEqualTo(101);
        }
        assertThat(replay(tenant, agent, since))
                .as("the 50 failed in the window; not the test call, not the older failures")
                .isEqualTo(50);
    }

    @Test
    void aRedeliveryWhoseTaskCouldNotBeQueued_shouldLeaveTheExecutionClaimableAgainAtOnce() {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agent(tenant);
        Execution failed =
                record(tenant, agent, Instant.now().minus(Duration.ofMinutes(5)), ExecutionStatus.FAILED, false);
        String queue =
                LocalAws.environmentFor("RedeliverFailedFunction", Map.of()).get("DELIVERIES_QUEUE_URL");
        var broken = LocalAws.wiringFor(
                        "RedeliverFailedFunction",
                        Map.of("DELIVERIES_QUEUE_URL", queue.substring(0, queue.lastIndexOf('/')) + "/missing"))
                .redeliveries();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> broken.redeliver(tenant, agent, failed.uid()))
                .isInstanceOf(RuntimeException.class);
        var retried = WIRING.redeliveries().redeliver(tenant, agent, failed.uid());

        assertThat(retried.status())
                .as("the failed queueing ended its claim: the retry is not a 409")
                .isEqualTo(ExecutionStatus.RUNNING);
        assertThat(queuedTasks()).contains(failed.uid());
    }
}
