package ai.avala.agents.functions.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.CallbackHttpClient;
import ai.avala.agents.callback.CallbackOutcome;
import ai.avala.agents.callback.CallbackSender;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.config.Configuration;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.model.AgentDecision;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/** The delivery stage: one callback per task, exactly once per attempt, whatever copies and crashes do. */
class DeliveryHandlerTest {

    private static final Map<String, String> ENV = LocalAws.environmentFor("DeliveryFunction", Map.of());
    private static final Wiring WIRING = LocalAws.wiringFor(
            "DeliveryFunction",
            Map.of(
                    "ALLOW_LOCAL_CALLBACKS",
                    "true",
                    "CALLBACK_RETRY_SCHEDULE_SECONDS",
                    "1",
                    "CALLBACK_TIMEOUT_SECONDS",
                    "5"));
    private final AgentService agents = WIRING.agentService();
    private final ExecutionLog executions = WIRING.executions();
    private final CallbackDelivery realDelivery = new CallbackDelivery(
            new UrlGuard(true), new CallbackHttpClient(Duration.ofSeconds(5), 20 * 1024), Clock.systemUTC());
    private CallbackReceiver receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = new CallbackReceiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private record Delivery(String tenant, String agent, Execution execution, DeliveryTask task) {}

    /** An agent calling back to {@code path} and a recorded execution of it, as the matching stage leaves them. */
    private Delivery due(String path) {
        String tenant = "tenant_" + UUID.randomUUID();
        String agent = agents.register(
                        tenant,
                        AgentChanges.forCreate("{\"name\": \"a\", \"events\": [\"task.completed\"], "
                                + "\"callback_url\": \"" + receiver.url(path) + "\"}"))
                .agent()
                .uid();
        Instant now = Instant.now();
        Execution execution =
                ai.avala.agents.local.emulator.ExecutionSeeds.of(tenant, agent, ExecutionStatus.RUNNING, now);
        String uid = execution.uid();
        executions.create(execution);
        return new Delivery(tenant, agent, execution, new DeliveryTask(tenant, agent, uid, 0, now.toEpochMilli()));
    }

    private static SQSEvent batchOf(DeliveryTask... tasks) {
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (DeliveryTask task : tasks) {
            SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
            message.setMessageId(UUID.randomUUID().toString());
            message.setBody(task.toJson());
            message.setMessageAttributes(Map.of());
            messages.add(message);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(messages);
        return event;
    }

    private Execution stored(Delivery delivery) {
        return executions.find(delivery.agent(), delivery.execution().uid()).orElseThrow();
    }

    private List<String> webhookIds(String path) {
        return receiver.calls(path).stream()
                .map(call -> call.headers().get("webhook-id").get(0))
                .toList();
    }

    /** The tasks on the deliveries queue for {@code delivery}'s execution (taken off it), once some arrived (10 s at most). */
    private static List<DeliveryTask> queuedFor(Delivery delivery) throws Exception {
        List<DeliveryTask> found = new ArrayList<>();
        String url = ENV.get("DELIVERIES_QUEUE_URL");
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            for (int empty = 0; found.isEmpty() ? System.nanoTime() < deadline : empty < 2; ) {
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(url)
                                .maxNumberOfMessages(10)
                                .waitTimeSeconds(1)
                                .visibilityTimeout(1))
                        .messages();
                List<Message> mine = new ArrayList<>();
                for (Message message : messages) {
                    DeliveryTask task = DeliveryTask.parse(message.body());
                    if (task.execution().equals(delivery.execution().uid())) {
                        found.add(task);
                        mine.add(message);
                    }
                }
                if (!mine.isEmpty()) {
                    sqs.deleteMessageBatch(r -> r.queueUrl(url)
                            .entries(mine.stream()
                                    .map(m -> DeleteMessageBatchRequestEntry.builder()
                                            .id(m.messageId())
                                            .receiptHandle(m.receiptHandle())
                                            .build())
                                    .toList()));
                }
                empty = mine.isEmpty() ? empty + 1 : 0;
            }
        }
        return found;
    }

    @Test
    void aTask_shouldCallItsAgentOnceSignedAndFinishItsExecution() {
        Delivery delivery = due("/ok");
        receiver.answer("/ok", CallbackReceiver.Answer.json(200, "{\"action\": \"approve\"}"));

        var response = LocalAws.invoke(new DeliveryHandler(WIRING), batchOf(delivery.task()));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/ok")).containsExactly(delivery.execution().uid());
        assertThat(stored(delivery)).satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCESS);
            assertThat(e.action()).isEqualTo(AgentDecision.APPROVE);
            assertThat(e.attempts()).isEqualTo(1);
        });
    }

    /** An agent calling back to {@code path} and an execution naming its event's payload, stored or not. */
    private Delivery dueNamingPayload(String path, boolean stored) {
        Delivery plain = due(path);
        Instant now = Instant.now();
        Execution execution = ai.avala.agents.local.emulator.ExecutionSeeds.of(
                plain.tenant(), plain.agent(), ExecutionStatus.RUNNING, now);
        String key = ai.avala.agents.store.EventPayloads.keyOf(plain.tenant(), now.toEpochMilli(), execution.eventId());
        if (stored) {
            executions.storePayload(key, Map.of("task_uid", "task_named", "notes", "n".repeat(1500)), now);
        }
        executions.create(execution, null, key);
        return new Delivery(
                plain.tenant(),
                plain.agent(),
                execution,
                new DeliveryTask(plain.tenant(), plain.agent(), execution.uid(), 0, now.toEpochMilli()));
    }

    @Test
    void aTaskWhoseExecutionNamesItsEventsPayload_shouldCallWithThatPayload() {
        Delivery delivery = dueNamingPayload("/named", true);

        var response = LocalAws.invoke(new DeliveryHandler(WIRING), batchOf(delivery.task()));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(receiver.calls("/named")).singleElement().satisfies(call -> {
            var data = ai.avala.agents.json.Json.parse(call.body()).get("data");
            assertThat(data.get("task_uid").asText()).isEqualTo("task_named");
            assertThat(data.get("notes").asText()).hasSize(1500);
        });
        assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.SUCCESS);
    }

    @Test
    void aTaskWhosePayloadCannotBeRead_shouldCallNobody_andGiveItsLeaseBack() {
        Delivery delivery = dueNamingPayload("/unread", false);

        var response = LocalAws.invoke(new DeliveryHandler(WIRING), batchOf(delivery.task()));

        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertThat(receiver.calls("/unread")).isEmpty();
        var item = WIRING.dynamo()
                .getItem(r -> r.tableName(WIRING.config().executionsTable().orElseThrow())
                        .key(Map.of(
                                "agent",
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(delivery.agent()),
                                "uid",
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                        delivery.execution().uid())))
                        .consistentRead(true))
                .item();
        assertThat(item).doesNotContainKey("lease_until");
        assertThat(item.get("status").s()).isEqualTo("running");
    }

    @Test
    void aCrashBeforeTheCallback_shouldFailTheTaskAndItsRedeliveryCallOnce() {
        Delivery delivery = due("/a");
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        CallbackSender crashBefore = (url, secret, id, type, agent, data) -> {
            if (crashOnce.getAndSet(false)) {
                throw new IllegalStateException("simulated crash before the callback");
            }
            return realDelivery.send(url, secret, id, type, agent, data);
        };
        var handler = new DeliveryHandler(WIRING.withCallbacks(crashBefore));
        SQSEvent batch = batchOf(delivery.task());

        var first = LocalAws.invoke(handler, batch);
        var redelivered = LocalAws.invoke(handler, batch);

        assertThat(first.getBatchItemFailures()).hasSize(1);
        assertThat(redelivered.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/a")).hasSize(1);
        assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.SUCCESS);
    }

    @Test
    void aCrashAfterTheCallbackBeforeItsRecord_shouldRepeatItWithTheSameWebhookIdAndThenStop() {
        Delivery delivery = due("/c");
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        CallbackSender crashAfter = (url, secret, id, type, agent, data) -> {
            CallbackOutcome outcome = realDelivery.send(url, secret, id, type, agent, data);
            if (crashOnce.getAndSet(false)) {
                throw new IllegalStateException("simulated crash after the callback");
            }
            return outcome;
        };
        var handler = new DeliveryHandler(WIRING.withCallbacks(crashAfter));
        SQSEvent batch = batchOf(delivery.task());

        LocalAws.invoke(handler, batch);
        LocalAws.invoke(handler, batch);
        LocalAws.invoke(handler, batch);

        assertThat(webhookIds("/c"))
                .hasSize(2)
                .containsOnly(delivery.execution().uid());
        assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.SUCCESS);
    }

    @Test
    void twoCopiesOfATaskAtOnce_shouldCallTheAgentOnce_theSecondLookingAgainWhenTheLeaseLapses() throws Exception {
        Delivery delivery = due("/f");
        var firstIsCalling = new CountDownLatch(1);
        var secondIsDone = new CountDownLatch(1);
        CallbackSender slowFirst = (url, secret, id, type, agent, data) -> {
            firstIsCalling.countDown();
            try {
                secondIsDone.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return realDelivery.send(url, secret, id, type, agent, data);
        };
        String ownQueue;
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            ownQueue = sqs.createQueue(r -> r.queueName("test-only-deliveries-" + UUID.randomUUID()))
                    .queueUrl();
        }
        var handler = new DeliveryHandler(LocalAws.wiringFor(
                        "DeliveryFunction", Map.of("ALLOW_LOCAL_CALLBACKS", "true", "DELIVERIES_QUEUE_URL", ownQueue))
                .withCallbacks(slowFirst));
        SQSEvent batch = batchOf(delivery.task());

        var first = CompletableFuture.supplyAsync(() -> LocalAws.invoke(handler, batch));
        firstIsCalling.await();
        var second = LocalAws.invoke(handler, batch);
        secondIsDone.countDown();

        assertThat(first.get().getBatchItemFailures()).isEmpty();
        assertThat(second.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/f")).hasSize(1);
        assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.SUCCESS);
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            assertThat(sqs.getQueueAttributes(r -> r.queueUrl(ownQueue)
                                    .attributeNames(
                                            software.amazon.awssdk.services.sqs.model.QueueAttributeName
                                                    .APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                            .attributes()
                            .values()
                            .iterator()
                            .next())
                    .as("the second copy looks again once the lease lapses")
                    .isEqualTo("1");
        }
    }

    @Test
    void aFailedAttempt_shouldQueueTheNextAsADelayedTaskAndRecordTheAttempt() throws Exception {
        Delivery delivery = due("/down");
        receiver.answer("/down", CallbackReceiver.Answer.json(503, "{}"));

        LocalAws.invoke(new DeliveryHandler(WIRING), batchOf(delivery.task()));

        assertThat(stored(delivery)).satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.RUNNING);
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.errorMessage()).contains("HTTP 503").contains("Retrying in");
            assertThat(e.attemptHistory()).singleElement().satisfies(attempt -> {
                assertThat(attempt.attempt()).isEqualTo(1);
                assertThat(attempt.statusCode()).isEqualTo(503);
                assertThat(attempt.durationMs()).isNotNegative();
            });
            assertThat(e.nextAttemptAt()).isAfter(e.attemptHistory().get(0).startedAt());
        });
        assertThat(queuedFor(delivery))
                .singleElement()
                .satisfies(task -> assertThat(task.attemptsMade()).isEqualTo(1));
    }

    @Test
    void anAgentFailingForTheConfiguredHours_shouldBeSwitchedOffWithAReasonAndCountedInTheMetric() {
        Delivery first = due("/dead");
        receiver.answer("/dead", CallbackReceiver.Answer.json(500, "{}"));
        Map<String, String> env = oneAttemptSwitchingOffAfter120Hours();
        Instant start = Instant.now();
        LocalAws.invoke(
                new DeliveryHandler(new Wiring(Configuration.from(env), Clock.fixed(start, java.time.ZoneOffset.UTC))),
                batchOf(first.task()));
        assertThat(agents.get(first.tenant(), first.agent()).active()).isTrue();
        Execution second = Execution.started(
                "exec_" + ai.avala.agents.ids.Ids.ulid(start.toEpochMilli() + 1),
                first.agent(),
                first.tenant(),
                new ai.avala.agents.model.LabelingEvent(
                        "evt_2", "task.completed", first.tenant(), null, null, null, null, null, Map.of()),
                false,
                start);
        executions.create(second);
        java.io.ByteArrayOutputStream logs = new java.io.ByteArrayOutputStream();
        ai.avala.agents.log.Log.writeTo(new java.io.PrintStream(logs, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            LocalAws.invoke(
                    new DeliveryHandler(new Wiring(
                            Configuration.from(env),
                            Clock.fixed(start.plus(Duration.ofHours(121)), java.time.ZoneOffset.UTC))),
                    batchOf(new DeliveryTask(first.tenant(), first.agent(), second.uid(), 0, start.toEpochMilli())));
        } finally {
            ai.avala.agents.log.Log.writeTo(System.out);
        }

        var agent = agents.get(first.tenant(), first.agent());
        assertThat(agent.active()).isFalse();
        assertThat(agent.disabledReason()).contains("failed for 120 hours");
        assertThat(executions.find(first.agent(), second.uid()).orElseThrow().errorMessage())
                .contains("switched off");
        var metrics = logs.toString(java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .map(ai.avala.agents.json.Json::parse)
                .filter(line -> line.has("_aws"))
                .toList();
        assertThat(metrics)
                .filteredOn(line -> line.has("Deliveries"))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.get("Outcome").asText()).isEqualTo("failed");
                    assertThat(line.get("Attempt").asInt()).isEqualTo(1);
                    var dimensions =
                            line.get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions");
                    assertThat(dimensions.get(1).get(1).asText())
                            .as("also published by outcome")
                            .isEqualTo("Outcome");
                });
        assertThat(metrics)
                .filteredOn(line -> line.has("AgentsAutoDisabled"))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.get("AgentsAutoDisabled").asInt()).isEqualTo(1);
                    assertThat(line.get("Service").asText()).isEqualTo("avala-agents");
                    var definition = line.get("_aws").get("CloudWatchMetrics").get(0);
                    assertThat(definition.get("Namespace").asText()).isEqualTo("AvalaAgentsTest");
                    assertThat(definition.get("Metrics").get(0).get("Name").asText())
                            .isEqualTo("AgentsAutoDisabled");
                    assertThat(definition.get("Dimensions").get(0).get(0).asText())
                            .isEqualTo("Service");
                });
    }

    @Test
    void aTaskWhoseAttemptWasMade_shouldBeDroppedWithoutACall() {
        Delivery delivery = due("/done");
        var handler = new DeliveryHandler(WIRING);
        LocalAws.invoke(handler, batchOf(delivery.task()));

        var again = LocalAws.invoke(handler, batchOf(delivery.task()));

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/done")).hasSize(1);
    }

    @Test
    void aCallbackUrlThatIsNoLongerSafeAtDelivery_shouldBeRefusedWithoutAConnection() {
        Delivery delivery = due("/g");
        var strict = new CallbackDelivery(
                new UrlGuard(false), new CallbackHttpClient(Duration.ofSeconds(5), 1024), Clock.systemUTC());
        var handler = new DeliveryHandler(LocalAws.wiringFor("DeliveryFunction", Map.of("CALLBACK_MAX_ATTEMPTS", "1"))
                .withCallbacks(strict));

        LocalAws.invoke(handler, batchOf(delivery.task()));

        assertThat(webhookIds("/g")).isEmpty();
        assertThat(stored(delivery)).satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(e.errorMessage()).contains("must use https");
        });
    }

    @Test
    void anAgentDeletedBeforeItsDelivery_shouldEndItsExecutionFailedWithTheReason() {
        Delivery delivery = due("/gone");
        agents.delete(delivery.tenant(), delivery.agent());

        var response = LocalAws.invoke(new DeliveryHandler(WIRING), batchOf(delivery.task()));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/gone")).isEmpty();
        assertThat(stored(delivery)).satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(e.errorMessage()).isEqualTo("The agent was deleted.");
        });
    }

    @Test
    void aTaskDueLaterThanOneQueueDelay_shouldBeChainedWithoutAnAttempt() throws Exception {
        Delivery delivery = due("/later");
        DeliveryTask later = delivery.task().next(0, System.currentTimeMillis() + 3_600_000);

        var response = LocalAws.invoke(new DeliveryHandler(WIRING), batchOf(later));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/later")).isEmpty();
        assertThat(stored(delivery).attempts()).isZero();
    }

    @Test
    void aTenantsTasksOverItsBound_shouldWaitOnTheQueueWhileTheOthersAreCalledAtOnce() throws Exception {
        var gate = new CountDownLatch(1);
        receiver.answer("/busy", CallbackReceiver.Answer.after(gate));
        Delivery first = due("/busy");
        List<DeliveryTask> tasks = new ArrayList<>(List.of(first.task()));
        for (int i = 0; i < 4; i++) {
            Instant now = Instant.now();
            String uid = "exec_" + ai.avala.agents.ids.Ids.ulid(now.toEpochMilli());
            executions.create(new Execution(
                    uid,
                    first.agent(),
                    first.tenant(),
                    "evt_" + uid,
                    "task.completed",
                    null,
                    null,
                    ExecutionStatus.RUNNING,
                    null,
                    Map.of(),
                    null,
                    null,
                    0,
                    null,
                    null,
                    now,
                    now,
                    List.of(),
                    null));
            tasks.add(new DeliveryTask(first.tenant(), first.agent(), uid, 0, now.toEpochMilli()));
        }
        Delivery quiet = due("/quiet");
        tasks.add(quiet.task());
        var handler = new DeliveryHandler(LocalAws.wiringFor(
                "DeliveryFunction", Map.of("ALLOW_LOCAL_CALLBACKS", "true", "TENANT_MAX_IN_FLIGHT", "2")));

        var running = CompletableFuture.supplyAsync(
                () -> LocalAws.invoke(handler, batchOf(tasks.toArray(DeliveryTask[]::new))));
        long start = System.nanoTime();
        while (receiver.calls("/quiet").isEmpty() && System.nanoTime() - start < 5_000_000_000L) {
            Thread.sleep(10);
        }
        long quietAfterMillis = (System.nanoTime() - start) / 1_000_000;
        while (receiver.calls("/busy").size() < 2 && System.nanoTime() - start < 5_000_000_000L) {
            Thread.sleep(10);
        }
        gate.countDown();

        assertThat(running.get().getBatchItemFailures()).isEmpty();
        assertThat(quietAfterMillis).as("the quiet tenant's callback").isLessThan(2000);
        assertThat(receiver.mostAtOnce("/busy")).isEqualTo(2);
        assertThat(receiver.calls("/busy")).hasSize(2);
    }

    @Test
    void anUnreadableTask_shouldBeDeadLetteredWithItsReason() {
        var response = LocalAws.invoke(
                new DeliveryHandler(WIRING), EventLoader.loadSQSEvent(LocalAws.eventFile("delivery-sqs.json")));
        SQSEvent poison = batchOf();
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId("poison-" + UUID.randomUUID());
        message.setBody("{\"not\": \"a task\"}");
        poison.setRecords(List.of(message));

        var poisoned = LocalAws.invoke(new DeliveryHandler(WIRING), poison);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(poisoned.getBatchItemFailures()).isEmpty();
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            var dead = sqs.receiveMessage(r -> r.queueUrl(ENV.get("DELIVERIES_DEAD_LETTER_QUEUE_URL"))
                            .maxNumberOfMessages(10)
                            .messageAttributeNames("All"))
                    .messages();
            assertThat(dead).anySatisfy(m -> {
                assertThat(m.body()).isEqualTo("{\"not\": \"a task\"}");
                assertThat(m.messageAttributes().get("failure_reason").stringValue())
                        .contains("lacks tenant");
            });
        }
    }

    @Test
    void aDeliveryWhoseWritesLoseTheirFirstAnswers_shouldCallTheReceiverOnceAndFinishTheExecution() {
        // Every write is applied but its first answer lost; the SDK sends it again and meets its own success.
        Delivery delivery = due("/lost");
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        try (FaultProxy proxy =
                FaultProxy.start(emulator, FaultProxy.Settings.onFirstSending(FaultProxy.Kind.LOST_ANSWER, 1))) {
            var handler = new DeliveryHandler(new Wiring(
                    Configuration.from(LocalAws.environmentFor(
                            "DeliveryFunction",
                            Map.of("ALLOW_LOCAL_CALLBACKS", "true", "AWS_ENDPOINT_URL", proxy.endpoint()))),
                    Clock.systemUTC()));

            var response = LocalAws.invoke(handler, batchOf(delivery.task()));

            assertThat(proxy.injected().get(FaultProxy.Kind.LOST_ANSWER))
                    .as("the lease and the outcome")
                    .isGreaterThanOrEqualTo(2);
            assertThat(response.getBatchItemFailures()).isEmpty();
            assertThat(webhookIds("/lost"))
                    .as("one callback: the lease taken by its own lost write")
                    .hasSize(1);
            assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.SUCCESS);
        }
    }

    @Test
    void aTaskWhoseDependencyStillFailsAfterTheRetries_shouldBeSentAgainInSeconds_notLeftToTheVisibilityTimeout() {
        Delivery delivery = due("/throttled");
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        String ownQueue;
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            ownQueue = sqs.createQueue(r -> r.queueName("test-only-deliveries-" + UUID.randomUUID()))
                    .queueUrl();
        }
        try (FaultProxy proxy = FaultProxy.start(
                        emulator,
                        FaultProxy.Settings.only(FaultProxy.Kind.THROTTLE, 1).forOperations("GetItem"));
                SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            var handler = new DeliveryHandler(new Wiring(
                    Configuration.from(LocalAws.environmentFor(
                            "DeliveryFunction",
                            Map.of(
                                    "ALLOW_LOCAL_CALLBACKS",
                                    "true",
                                    "AWS_ENDPOINT_URL",
                                    proxy.endpoint(),
                                    "DELIVERIES_QUEUE_URL",
                                    ownQueue))),
                    Clock.systemUTC()));

            var response = LocalAws.invoke(handler, batchOf(delivery.task()));
            var resent = sqs.receiveMessage(r -> r.queueUrl(ownQueue).waitTimeSeconds(5))
                    .messages();

            assertThat(response.getBatchItemFailures())
                    .as("the message is done with")
                    .isEmpty();
            assertThat(webhookIds("/throttled")).isEmpty();
            assertThat(resent).singleElement().satisfies(message -> {
                var task = DeliveryTask.parse(message.body());
                assertThat(task.execution()).isEqualTo(delivery.execution().uid());
                assertThat(task.attemptsMade()).isZero();
                assertThat(task.transientRetries()).isEqualTo(1);
            });
            assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.RUNNING);
        }
    }

    @Test
    void aTaskThatCouldOutliveTheInvocation_shouldNotStartItsCallback_andComeBackInSeconds() {
        Delivery delivery = due("/late");
        String ownQueue;
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            ownQueue = sqs.createQueue(r -> r.queueName("test-only-deliveries-" + UUID.randomUUID()))
                    .queueUrl();
        }
        var handler = new DeliveryHandler(LocalAws.wiringFor(
                "DeliveryFunction", Map.of("ALLOW_LOCAL_CALLBACKS", "true", "DELIVERIES_QUEUE_URL", ownQueue)));

        byte[] answer = ai.avala.agents.local.emulator.LambdaEvents.invoke(
                handler,
                ai.avala.agents.local.emulator.LambdaEvents.toJson(batchOf(delivery.task())),
                new ai.avala.agents.local.emulator.LocalContext("DeliveryFunction", 5_000));

        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            var back = sqs.receiveMessage(r -> r.queueUrl(ownQueue).waitTimeSeconds(5))
                    .messages();
            assertThat(new String(answer, java.nio.charset.StandardCharsets.UTF_8))
                    .contains("\"batchItemFailures\":[]");
            assertThat(webhookIds("/late"))
                    .as("no callback that the invocation might not outlive")
                    .isEmpty();
            assertThat(back)
                    .singleElement()
                    .satisfies(message -> assertThat(
                                    DeliveryTask.parse(message.body()).execution())
                            .isEqualTo(delivery.execution().uid()));
        }
    }

    /** The delivery function's variables for one attempt per execution, switching an agent off after 120 h. */
    private static Map<String, String> oneAttemptSwitchingOffAfter120Hours() {
        return LocalAws.environmentFor(
                "DeliveryFunction",
                Map.of(
                        "ALLOW_LOCAL_CALLBACKS",
                        "true",
                        "CALLBACK_MAX_ATTEMPTS",
                        "1",
                        "AUTO_DISABLE_AFTER_HOURS",
                        "120",
                        "METRICS_NAMESPACE",
                        "AvalaAgentsTest"));
    }

    /** A delivery handler whose callbacks fail after {@code meanwhile} ran, at {@code now}, switching off after 120 h. */
    private static DeliveryHandler failingAfter(Runnable meanwhile, Instant now) {
        return new DeliveryHandler(new Wiring(
                        Configuration.from(oneAttemptSwitchingOffAfter120Hours()),
                        Clock.fixed(now, java.time.ZoneOffset.UTC))
                .withCallbacks((url, secrets, execution, type, agent, data) -> {
                    // Another process's write, on a thread of its own that inherits nothing of this invocation: not one
                    // of the delivery function's calls (the IAM check records those).
                    try {
                        Thread.ofVirtual()
                                .inheritInheritableThreadLocals(false)
                                .start(meanwhile)
                                .join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new ai.avala.agents.callback.CallbackOutcome.Unanswered("Callback connection failed.");
                }));
    }

    @Test
    void aFailureJudgedOnAStreakThatASuccessEndedMeanwhile_shouldNotSwitchTheAgentOff() {
        Delivery delivery = due("/ended");
        Instant now = Instant.now();
        WIRING.agents().markFailing(delivery.tenant(), delivery.agent(), now.minus(Duration.ofHours(121)));

        LocalAws.invoke(
                failingAfter(() -> WIRING.agents().markHealthy(delivery.tenant(), delivery.agent()), now),
                batchOf(delivery.task()));

        assertThat(agents.get(delivery.tenant(), delivery.agent()).active())
                .as("the streak it judged had ended: not switched off")
                .isTrue();
    }

    @Test
    void aFailureJudgedOnAStreakThatAnOperatorEndedMeanwhile_shouldNotSwitchTheAgentOff() {
        Delivery delivery = due("/moved");
        Instant now = Instant.now();
        WIRING.agents().markFailing(delivery.tenant(), delivery.agent(), now.minus(Duration.ofHours(121)));

        LocalAws.invoke(
                failingAfter(
                        () -> agents.update(
                                delivery.tenant(),
                                delivery.agent(),
                                AgentChanges.forUpdate("{\"callback_url\": \"" + receiver.url("/moved-here") + "\"}")),
                        now),
                batchOf(delivery.task()));

        var agent = agents.get(delivery.tenant(), delivery.agent());
        assertThat(agent.active())
                .as("the operator pointed it elsewhere: not switched off")
                .isTrue();
    }

    @Test
    void changingTheCallbackUrl_shouldEndTheFailureStreak() {
        Delivery delivery = due("/old");
        WIRING.agents()
                .markFailing(delivery.tenant(), delivery.agent(), Instant.now().minus(Duration.ofHours(100)));

        agents.update(
                delivery.tenant(),
                delivery.agent(),
                AgentChanges.forUpdate("{\"callback_url\": \"" + receiver.url("/new") + "\"}"));

        assertThat(agents.get(delivery.tenant(), delivery.agent()).failingSince())
                .isNull();
    }

    @Test
    void anUpdateReadBeforeAStreakStarted_shouldNotWriteBackAHealthyAgent() {
        Delivery delivery = due("/stale");
        var read = agents.get(delivery.tenant(), delivery.agent());
        Instant since = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        WIRING.agents().markFailing(delivery.tenant(), delivery.agent(), since);

        WIRING.agents()
                .update(
                        read,
                        read.edited(
                                "renamed",
                                read.description(),
                                read.events(),
                                read.callbackUrl(),
                                read.active(),
                                read.project(),
                                read.taskTypes(),
                                Instant.now()));

        var agent = agents.get(delivery.tenant(), delivery.agent());
        assertThat(agent.name()).isEqualTo("renamed");
        assertThat(agent.failingSince())
                .as("the streak that started after the read stands")
                .isEqualTo(since);
    }

    @Test
    void aTaskFailingOnItsLastReceive_shouldEndItsExecutionFailedBeforeTheDeadLetter() {
        Delivery delivery = due("/broken");
        var handler = new DeliveryHandler(WIRING.withCallbacks((url, secrets, execution, type, agent, data) -> {
            throw new IllegalStateException("a bug in the delivery");
        }));
        SQSEvent early = batchOf(delivery.task());
        SQSEvent last = batchOf(delivery.task());
        last.getRecords().get(0).setAttributes(Map.of("ApproximateReceiveCount", "5"));

        var failedEarly = LocalAws.invoke(handler, early);
        assertThat(failedEarly.getBatchItemFailures()).hasSize(1);
        assertThat(stored(delivery).status())
                .as("received again: still the task's")
                .isEqualTo(ExecutionStatus.RUNNING);
        var failedLast = LocalAws.invoke(handler, last);

        assertThat(failedLast.getBatchItemFailures())
                .as("left to the dead-letter queue")
                .hasSize(1);
        assertThat(stored(delivery).status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(stored(delivery).errorMessage()).contains("dead-letter queue");
    }

    /** Whether the sweep's index holds the execution, read as another process would (not the delivery's call). */
    private static boolean markedForTheSweep(Execution execution) {
        java.util.concurrent.atomic.AtomicBoolean marked = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            Thread.ofVirtual()
                    .inheritInheritableThreadLocals(false)
                    .start(() -> marked.set(
                            WIRING.sweepMarks().due(Instant.now().plus(Duration.ofDays(1)), null, 1000).stream()
                                    .anyMatch(due -> due.uid().equals(execution.uid()))))
                    .join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return marked.get();
    }

    @Test
    void aTaskOnItsLastReceive_shouldMarkItsExecutionForTheSweepWhileItHoldsIt_andAnEarlierReceiveShouldNot() {
        Delivery early = due("/early-receive");
        Delivery last = due("/last-receive");
        List<Boolean> markedDuringTheCallback = new java.util.concurrent.CopyOnWriteArrayList<>();
        var handler = new DeliveryHandler(WIRING.withCallbacks((url, secret, id, type, agent, data) -> {
            Delivery calling = id.equals(last.execution().uid()) ? last : early;
            markedDuringTheCallback.add(markedForTheSweep(calling.execution()));
            return realDelivery.send(url, secret, id, type, agent, data);
        }));
        SQSEvent onItsLastReceive = batchOf(last.task());
        onItsLastReceive.getRecords().get(0).setAttributes(Map.of("ApproximateReceiveCount", "5"));

        LocalAws.invoke(handler, batchOf(early.task()));
        LocalAws.invoke(handler, onItsLastReceive);

        assertThat(markedDuringTheCallback)
                .as("an earlier receive's task comes back from the queue if its invocation dies; the last one's would"
                        + " be dead-lettered, so the sweep looks after it")
                .containsExactly(false, true);
        assertThat(stored(last).status()).isEqualTo(ExecutionStatus.SUCCESS);
        assertThat(markedForTheSweep(last.execution()))
                .as("finished: out of the index")
                .isFalse();
    }
}
