package ai.avala.agents.functions.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.config.Configuration;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.AgentSeeder;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.paging.PageRequest;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentListings;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.SweepMarks;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/** The matching stage: executions recorded once per (event, agent), delivery tasks queued, no receiver called. */
class DispatcherHandlerTest {

    private static final Map<String, String> ENV = LocalAws.environmentFor("DispatcherFunction", Map.of());
    private static final AgentListings LISTINGS =
            LocalAws.wiringFor("ListExecutionsFunction", Map.of()).listings();
    private static final Wiring WIRING = LocalAws.wiringFor("DispatcherFunction", Map.of());
    private static final SqsClient SQS = LocalResources.sqs(LocalAws.shared().aws());
    private final AgentService agents = WIRING.agentService();
    private final DispatcherHandler handler = new DispatcherHandler(WIRING);
    /** Tasks received from the deliveries queue that belong to no test yet (each test takes its tenant's). */
    private static final List<DeliveryTask> UNCLAIMED = new ArrayList<>();

    @AfterAll
    static void close() {
        SQS.close();
    }

    private static SQSEvent batchOf(String... bodies) {
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (String body : bodies) {
            SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
            message.setMessageId(UUID.randomUUID().toString());
            message.setBody(body);
            message.setAttributes(Map.of("SentTimestamp", Long.toString(System.currentTimeMillis())));
            message.setMessageAttributes(Map.of());
            messages.add(message);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(messages);
        return event;
    }

    private static String event(String tenant, String id) {
        return Json.write(Map.of("id", id, "type", "task.completed", "tenant", tenant, "task", "task_1"));
    }

    private String agent(String tenant, String name, String callbackUrl) {
        String url = callbackUrl == null ? "" : ", \"callback_url\": \"" + callbackUrl + "\"";
        return agents.register(
                        tenant, AgentChanges.forCreate("{\"name\": \"" + name + "\", \"events\": [\"*\"]" + url + "}"))
                .agent()
                .uid();
    }

    private List<Execution> executions(String tenant, String agentUid) {
        return LISTINGS.executions(tenant, agentUid, null, PageRequest.of(100, null))
                .items();
    }

    /** The delivery tasks of {@code tenant} now on the deliveries queue (taken off it). */
    private static synchronized List<DeliveryTask> tasksOf(String tenant) {
        String url = ENV.get("DELIVERIES_QUEUE_URL");
        for (int empty = 0; empty < 2; ) {
            List<Message> messages = SQS.receiveMessage(
                            r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages();
            if (messages.isEmpty()) {
                empty++;
                continue;
            }
            for (Message message : messages) {
                try {
                    UNCLAIMED.add(DeliveryTask.parse(message.body()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            SQS.deleteMessageBatch(r -> r.queueUrl(url)
                    .entries(messages.stream()
                            .map(m -> DeleteMessageBatchRequestEntry.builder()
                                    .id(m.messageId())
                                    .receiptHandle(m.receiptHandle())
                                    .build())
                            .toList()));
        }
        List<DeliveryTask> mine =
                UNCLAIMED.stream().filter(task -> task.tenant().equals(tenant)).toList();
        UNCLAIMED.removeAll(mine);
        return mine;
    }

    @Test
    void anEvent_shouldRecordOneExecutionPerMatchedAgentAndQueueATaskPerCallback_callingNobody() {
        String tenant = "tenant_" + UUID.randomUUID();
        String pushed = agent(tenant, "pushed", "https://hooks.example.com/a");
        String pulled = agent(tenant, "pulled", null);

        var response = LocalAws.invoke(handler, batchOf(event(tenant, "evt_" + UUID.randomUUID())));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Execution running = executions(tenant, pushed).get(0);
        assertThat(executions(tenant, pushed)).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.RUNNING);
            assertThat(e.attempts()).isZero();
        });
        assertThat(executions(tenant, pulled))
                .singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.PENDING));
        assertThat(tasksOf(tenant)).singleElement().satisfies(task -> {
            assertThat(task.agent()).isEqualTo(pushed);
            assertThat(task.execution()).isEqualTo(running.uid());
            assertThat(task.attemptsMade()).isZero();
        });
    }

    @Test
    void anEventMatchingAgentsThatCallBack_shouldStoreItsPayloadOnce_theirExecutionsNamingIt_listedWithIt() {
        String tenant = "tenant_" + UUID.randomUUID();
        String first = agent(tenant, "first", "https://hooks.example.com/a");
        String second = agent(tenant, "second", "https://hooks.example.com/b");
        String pulled = agent(tenant, "pulled", null);
        String id = "evt_" + UUID.randomUUID();

        LocalAws.invoke(
                handler,
                batchOf(Json.write(Map.of(
                        "id",
                        id,
                        "type",
                        "task.completed",
                        "tenant",
                        tenant,
                        "task",
                        "task_1",
                        "data",
                        Map.of("notes", "n".repeat(3000))))));

        DynamoDbClient dynamo = AwsClients.dynamoDb(LocalAws.shared().aws());
        String table = ENV.get("EXECUTIONS_TABLE");
        var pushedItems = java.util.stream.Stream.of(first, second)
                .flatMap(agent -> dynamo
                        .query(r -> r.tableName(table)
                                .keyConditionExpression("agent = :a")
                                .expressionAttributeValues(Map.of(
                                        ":a",
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(agent))))
                        .items()
                        .stream())
                .toList();
        // Each execution of an agent that calls back names the payload instead of carrying it: its writes stay small.
        assertThat(pushedItems).hasSize(2).allSatisfy(item -> {
            assertThat(item).doesNotContainKey("event_payload").containsKey("payload_key");
            assertThat(item.get("payload_key").s())
                    .isEqualTo(pushedItems.get(0).get("payload_key").s());
        });
        long stored = dynamo.scan(r -> r.tableName(table)).items().stream()
                .filter(item -> item.get("agent")
                        .s()
                        .equals(pushedItems.get(0).get("payload_key").s()))
                .count();
        assertThat(stored).isEqualTo(1);
        for (String agent : List.of(first, second, pulled)) {
            assertThat(executions(tenant, agent)).singleElement().satisfies(e -> {
                assertThat(e.eventPayload()).containsEntry("event_id", id).containsEntry("task_uid", "task_1");
                assertThat(e.eventPayload().get("notes")).isEqualTo("n".repeat(3000));
            });
        }
        tasksOf(tenant);
    }

    @Test
    void theSameEventRedeliveredOrSentAgain_shouldKeepOneExecutionPerAgent() {
        String tenant = "tenant_" + UUID.randomUUID();
        String uid = agent(tenant, "once", "https://hooks.example.com/b");
        String withoutTime = event(tenant, "evt_" + UUID.randomUUID());
        String withTime = Json.write(Map.of(
                "id",
                "evt_" + UUID.randomUUID(),
                "type",
                "task.completed",
                "tenant",
                tenant,
                "task",
                "task_1",
                "occurred_at",
                "2026-11-28T10:00:00.000Z"));
        SQSEvent first = batchOf(withoutTime, withTime);

        LocalAws.invoke(handler, first);
        LocalAws.invoke(handler, first);
        LocalAws.invoke(handler, batchOf(withoutTime, withTime));

        List<Execution> recorded = executions(tenant, uid);
        assertThat(recorded).hasSize(2).extracting(Execution::eventId).doesNotHaveDuplicates();
        // Every copy queues its task again; the delivery stage drops those whose attempt was made.
        assertThat(tasksOf(tenant))
                .hasSize(6)
                .extracting(DeliveryTask::execution)
                .containsOnly(recorded.get(0).uid(), recorded.get(1).uid());
        String timedId = Json.parse(withTime).get("id").asText();
        assertThat(recorded)
                .filteredOn(e -> e.eventId().equals(timedId))
                .singleElement()
                .satisfies(e -> assertThat(e.uid())
                        .as("ordered by the event's own time")
                        .isEqualTo(ai.avala.agents.ids.Ids.executionUid(
                                java.time.Instant.parse("2026-11-28T10:00:00Z").toEpochMilli(), tenant, timedId, uid)));
    }

    @Test
    void theSampleBatch_shouldMatchEachEnvelopeShapeAndDeadLetterTheRest() {
        String uid = agent("tenant_sample", "sample", "https://hooks.example.com/sample");
        SQSEvent batch = EventLoader.loadSQSEvent(LocalAws.eventFile("dispatcher-sqs.json"));

        var response = LocalAws.invoke(handler, batch);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(tasksOf("tenant_sample"))
                .filteredOn(task -> task.agent().equals(uid))
                .hasSize(3);
        var dead = SQS.receiveMessage(r -> r.queueUrl(ENV.get("DEAD_LETTER_QUEUE_URL"))
                        .maxNumberOfMessages(10)
                        .messageAttributeNames("All"))
                .messages();
        assertThat(dead).anySatisfy(m -> {
            assertThat(m.body()).isEqualTo("this is not an event");
            assertThat(m.messageAttributes().get("failure_reason").stringValue())
                    .contains("not valid JSON");
        });
    }

    /**
     * An event matching 2,000 agents (seeded with BatchWriteItem) is matched in one invocation, well within
     * the function's timeout even on moto: paged reads, single-item writes, no transaction.
     */
    @Test
    void anEventMatchingTwoThousandAgents_shouldBeRecordedAndQueuedInOneInvocation() {
        String tenant = "tenant_" + UUID.randomUUID();
        List<String> uids = seedAgents(tenant, 2000);
        // A deliveries queue of its own, counted rather than read: moto's SQS slows with every message it holds.
        String queue = SQS.createQueue(r -> r.queueName("test-only-deliveries-" + UUID.randomUUID()))
                .queueUrl();
        var own =
                new DispatcherHandler(LocalAws.wiringFor("DispatcherFunction", Map.of("DELIVERIES_QUEUE_URL", queue)));

        long start = System.nanoTime();
        var response = LocalAws.invoke(own, batchOf(event(tenant, "evt_" + UUID.randomUUID())));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(took).isLessThan(Duration.ofMinutes(3));
        assertThat(SQS.getQueueAttributes(r -> r.queueUrl(queue)
                                .attributeNames(
                                        software.amazon.awssdk.services.sqs.model.QueueAttributeName
                                                .APPROXIMATE_NUMBER_OF_MESSAGES))
                        .attributes()
                        .values()
                        .iterator()
                        .next())
                .isEqualTo("2000");
        for (String uid : List.of(uids.get(0), uids.get(1234), uids.get(1999))) {
            assertThat(executions(tenant, uid))
                    .singleElement()
                    .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.RUNNING));
        }
    }

    private static List<String> seedAgents(String tenant, int count) {
        try (DynamoDbClient dynamo = AwsClients.dynamoDb(LocalAws.shared().aws())) {
            return AgentSeeder.seed(
                    dynamo,
                    ENV.get("AGENTS_TABLE"),
                    ENV.get("SUBSCRIPTIONS_TABLE"),
                    tenant,
                    count,
                    "task.completed",
                    i -> "https://hooks.example.com/" + i);
        }
    }

    @Test
    void anEventArrivingTooCloseToTheDeadline_shouldBeReceivedAgain_beforeRecordingAPageItCouldNotQueue() {
        String tenant = "tenant_" + UUID.randomUUID();
        String hook = agent(tenant, "late", "https://hooks.example.com/late");
        var nearTheEnd = new ai.avala.agents.local.emulator.LocalContext("DispatcherFunction", 3_000);

        byte[] answer = ai.avala.agents.local.emulator.LambdaEvents.invoke(
                handler,
                ai.avala.agents.local.emulator.LambdaEvents.toJson(batchOf(event(tenant, "evt_late"))),
                nearTheEnd);

        assertThat(Json.parse(new String(answer, java.nio.charset.StandardCharsets.UTF_8))
                        .get("batchItemFailures"))
                .as("reported failed: received again")
                .hasSize(1);
        assertThat(executions(tenant, hook))
                .as("nothing recorded that was not queued")
                .isEmpty();
    }

    @Test
    void anEventWhoseDependencyStillFailsAfterTheRetries_shouldBeSentAgainInSeconds_notFailed() {
        String tenant = "tenant_" + UUID.randomUUID();
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        String eventsQueue = ENV.get("EVENTS_QUEUE_URL");
        try (FaultProxy proxy = FaultProxy.start(
                emulator, FaultProxy.Settings.only(FaultProxy.Kind.THROTTLE, 1).forOperations("Query"))) {
            var throttled = new DispatcherHandler(new Wiring(
                    Configuration.from(LocalAws.environmentFor(
                            "DispatcherFunction", Map.of("AWS_ENDPOINT_URL", proxy.endpoint()))),
                    java.time.Clock.systemUTC()));

            var response = LocalAws.invoke(throttled, batchOf(event(tenant, "evt_throttled")));
            var back = SQS.receiveMessage(
                            r -> r.queueUrl(eventsQueue).waitTimeSeconds(5).messageAttributeNames("All"))
                    .messages();

            assertThat(response.getBatchItemFailures())
                    .as("done with, not failed")
                    .isEmpty();
            assertThat(back).singleElement().satisfies(message -> {
                assertThat(message.body()).contains("evt_throttled");
                assertThat(message.messageAttributes().get("transient_retries").stringValue())
                        .isEqualTo("1");
            });
            SQS.deleteMessage(
                    r -> r.queueUrl(eventsQueue).receiptHandle(back.get(0).receiptHandle()));
        }
    }

    @Test
    void deliveryTasksThatSqsFailsInABatch_shouldBeSentAgainAtOnce_notFailTheEvent() {
        String tenant = "tenant_" + UUID.randomUUID();
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            agents.add(agent(tenant, "batched " + i, "https://hooks.example.com/" + i));
        }
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        try (FaultProxy proxy = FaultProxy.start(
                emulator,
                FaultProxy.Settings.onFirstSending(FaultProxy.Kind.BATCH_ENTRIES_FAILED, 1)
                        .forOperations("SendMessageBatch"))) {
            var partial = new DispatcherHandler(new Wiring(
                    Configuration.from(LocalAws.environmentFor(
                            "DispatcherFunction", Map.of("AWS_ENDPOINT_URL", proxy.endpoint()))),
                    java.time.Clock.systemUTC()));

            var response = LocalAws.invoke(partial, batchOf(event(tenant, "evt_" + UUID.randomUUID())));

            assertThat(proxy.injected().get(FaultProxy.Kind.BATCH_ENTRIES_FAILED))
                    .isPositive();
            assertThat(response.getBatchItemFailures())
                    .as("the failed entries were sent again, not the event failed")
                    .isEmpty();
            assertThat(tasksOf(tenant)).extracting(DeliveryTask::agent).containsExactlyInAnyOrderElementsOf(agents);
        }
    }

    @Test
    void anEventFailingOnItsLastReceive_shouldLeaveWhatItRecordedMarkedForTheSweep() {
        String tenant = "tenant_" + UUID.randomUUID();
        String early = agent(tenant, "recorded early", "https://hooks.example.com/early");
        String pulled = agent(tenant, "pulled", null);
        String body = event(tenant, "evt_" + UUID.randomUUID());
        // No deliveries queue to send to: a failure no retry mends, so the event is received again, then dead-lettered.
        String deliveries = ENV.get("DELIVERIES_QUEUE_URL");
        // A queue that does not exist (named test-only-, so the IAM check does not count it as the function's).
        var broken = new DispatcherHandler(LocalAws.wiringFor(
                "DispatcherFunction",
                Map.of(
                        "DELIVERIES_QUEUE_URL",
                        deliveries.substring(0, deliveries.lastIndexOf('/') + 1) + "test-only-missing-"
                                + UUID.randomUUID())));
        assertThat(LocalAws.invoke(broken, batchOf(body)).getBatchItemFailures())
                .hasSize(1);
        String late = agent(tenant, "subscribed since", "https://hooks.example.com/late");
        SQSEvent last = batchOf(body);
        last.getRecords()
                .get(0)
                .setAttributes(Map.of(
                        "SentTimestamp", Long.toString(System.currentTimeMillis()), "ApproximateReceiveCount", "5"));

        assertThat(LocalAws.invoke(broken, last).getBatchItemFailures())
                .as("failed on its last receive: SQS dead-letters it")
                .hasSize(1);

        List<SweepMarks.Due> due =
                WIRING.sweepMarks().due(java.time.Instant.now().plus(Duration.ofDays(1)), null, 1000).stream()
                        .filter(entry -> List.of(early, late, pulled).contains(entry.agent()))
                        .toList();
        assertThat(due)
                .as("the callbacks' executions, recorded on an earlier receive or on this one, are the sweep's; the"
                        + " pull-mode one is its polls'")
                .extracting(SweepMarks.Due::agent)
                .containsExactlyInAnyOrder(early, late);
        assertThat(due)
                .allSatisfy(entry -> assertThat(entry.sweepAt())
                        .isGreaterThan(System.currentTimeMillis()
                                + Duration.ofMinutes(10).toMillis()));
    }
}
