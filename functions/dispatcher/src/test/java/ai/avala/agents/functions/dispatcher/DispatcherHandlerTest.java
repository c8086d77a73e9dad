package ai.avala.agents.functions.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.api.PageRequest;
import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.CallbackHttpClient;
import ai.avala.agents.callback.Callbacks;
import ai.avala.agents.callback.DeliveryOutcome;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.config.Environment;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

class DispatcherHandlerTest {

    private static final Environment ENV = LocalAws.environmentFor("DispatcherFunction", Map.of(
            "ALLOW_LOCAL_CALLBACKS", "true", "CALLBACK_RETRY_SCHEDULE_SECONDS", "1"));
    private final AgentService agents = AgentService.fromEnvironment(ENV);
    private final CallbackDelivery realDelivery = new CallbackDelivery(new UrlGuard(true),
            new CallbackHttpClient(Duration.ofSeconds(5), 20 * 1024), Clock.systemUTC());
    private CallbackReceiver receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = new CallbackReceiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private String url(String path) {
        return receiver.url(path);
    }

    /** The {@code webhook-id} of every call the receiver got on {@code path}. */
    private List<String> webhookIds(String path) {
        return receiver.calls(path).stream().map(call -> call.headers().get("webhook-id").get(0)).toList();
    }

    private static SQSEvent batchOf(String body) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(UUID.randomUUID().toString());
        message.setBody(body);
        message.setMessageAttributes(Map.of());
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }

    private static String event(String tenant, String id) {
        return Json.write(Map.of("id", id, "type", "task.completed", "tenant", tenant, "task", "task_1"));
    }

    private List<Execution> executions(String tenant, String agentUid) {
        return agents.listExecutions(tenant, agentUid, null, new PageRequest(100, null)).items();
    }

    @Test
    void aBatchRedeliveredAfterACrash_shouldCallOnlyTheAgentsNotYetCalled() {
        String tenant = "tenant_" + UUID.randomUUID();
        String crashing = agents.create(tenant, AgentChanges.parse(
                "{\"name\": \"a\", \"events\": [\"task.completed\"], \"callback_url\": \"" + url("/a") + "\"}", true)).uid();
        String steady = agents.create(tenant, AgentChanges.parse(
                "{\"name\": \"b\", \"events\": [\"task.completed\"], \"callback_url\": \"" + url("/b") + "\"}", true)).uid();
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        Callbacks crashBeforeCallingA = (callbackUrl, secret, executionUid, eventType, agentUid, data) -> {
            if (agentUid.equals(crashing) && crashOnce.getAndSet(false)) {
                throw new IllegalStateException("simulated crash before the callback of agent a");
            }
            return realDelivery.deliver(callbackUrl, secret, executionUid, eventType, agentUid, data);
        };
        var handler = new DispatcherHandler(ENV, crashBeforeCallingA);
        SQSEvent batch = batchOf(event(tenant, "evt_" + UUID.randomUUID()));

        var first = handler.handleRequest(batch, null);
        var redelivered = handler.handleRequest(batch, null);

        assertThat(first.getBatchItemFailures()).extracting(f -> f.getItemIdentifier())
                .containsExactly(batch.getRecords().get(0).getMessageId());
        assertThat(redelivered.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/a")).hasSize(1);
        assertThat(webhookIds("/b")).as("calls of b: %s", receiver.calls("/b")).hasSize(1);
        assertThat(executions(tenant, crashing)).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCESS);
            assertThat(e.attempts()).isEqualTo(1);
        });
        assertThat(executions(tenant, steady)).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCESS));
    }

    @Test
    void aCrashAfterACallbackBeforeItsRecord_shouldRepeatItWithTheSameWebhookId() {
        String tenant = "tenant_" + UUID.randomUUID();
        String uid = agents.create(tenant, AgentChanges.parse(
                "{\"name\": \"c\", \"events\": [\"task.*\"], \"callback_url\": \"" + url("/c") + "\"}", true)).uid();
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        Callbacks crashAfterCalling = (callbackUrl, secret, executionUid, eventType, agentUid, data) -> {
            DeliveryOutcome outcome = realDelivery.deliver(callbackUrl, secret, executionUid, eventType, agentUid, data);
            if (crashOnce.getAndSet(false)) {
                throw new IllegalStateException("simulated crash after the callback");
            }
            return outcome;
        };
        var handler = new DispatcherHandler(ENV, crashAfterCalling);
        SQSEvent batch = batchOf(event(tenant, "evt_" + UUID.randomUUID()));

        handler.handleRequest(batch, null);
        handler.handleRequest(batch, null);
        handler.handleRequest(batch, null);

        assertThat(webhookIds("/c")).hasSize(2).containsOnly(executions(tenant, uid).get(0).uid());
        assertThat(executions(tenant, uid)).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCESS));
        assertThat(agents.get(tenant, uid).stats().success()).isEqualTo(1);
    }

    @Test
    void twoCopiesOfAMessageProcessedAtOnce_shouldCallTheAgentOnce() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        String uid = agents.create(tenant, AgentChanges.parse(
                "{\"name\": \"f\", \"events\": [\"task.completed\"], \"callback_url\": \"" + url("/f") + "\"}", true)).uid();
        var firstIsCalling = new java.util.concurrent.CountDownLatch(1);
        var secondIsDone = new java.util.concurrent.CountDownLatch(1);
        Callbacks slowFirst = (callbackUrl, secret, executionUid, eventType, agentUid, data) -> {
            firstIsCalling.countDown();
            try {
                secondIsDone.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return realDelivery.deliver(callbackUrl, secret, executionUid, eventType, agentUid, data);
        };
        var handler = new DispatcherHandler(ENV, slowFirst);
        SQSEvent batch = batchOf(event(tenant, "evt_" + UUID.randomUUID()));
        int delayedBefore = delayedMessages();

        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> handler.handleRequest(batch, null));
        firstIsCalling.await();
        var second = handler.handleRequest(batch, null);
        secondIsDone.countDown();

        assertThat(first.get().getBatchItemFailures()).isEmpty();
        assertThat(second.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/f")).hasSize(1);
        assertThat(executions(tenant, uid)).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCESS));
        assertThat(delayedMessages()).as("the second copy looks again once the lease lapses").isEqualTo(delayedBefore + 1);
    }

    @Test
    void aCallbackUrlThatIsNoLongerSafeAtDelivery_shouldBeRefusedWithoutAConnection() {
        String tenant = "tenant_" + UUID.randomUUID();
        // Registered while loopback was allowed; delivered by a dispatcher that allows public addresses only.
        String uid = agents.create(tenant, AgentChanges.parse(
                "{\"name\": \"g\", \"events\": [\"task.completed\"], \"callback_url\": \"" + url("/g") + "\"}", true)).uid();
        var strict = new CallbackDelivery(new UrlGuard(false), new CallbackHttpClient(Duration.ofSeconds(5), 1024),
                Clock.systemUTC());
        var handler = new DispatcherHandler(LocalAws.environmentFor("DispatcherFunction", Map.of(
                "CALLBACK_MAX_ATTEMPTS", "1")), strict);

        handler.handleRequest(batchOf(event(tenant, "evt_" + UUID.randomUUID())), null);

        assertThat(webhookIds("/g")).isEmpty();
        assertThat(executions(tenant, uid)).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(e.errorMessage()).contains("must use https");
        });
    }

    @Test
    void anAgentDeletedWhileItsEventIsDispatched_shouldGetNoExecutionAndFailNothing() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.create(tenant, AgentChanges.parse("{\"name\": \"e\", \"events\": [\"task.completed\"]}", true));
        agents.delete(tenant, agent.uid());
        var log = new ai.avala.agents.store.ExecutionLog(ai.avala.agents.config.AwsClients.dynamoDb(ENV),
                ENV.require("EXECUTIONS_TABLE"), ENV.require("AGENTS_TABLE"), Duration.ofDays(1));
        var now = java.time.Instant.now();

        var start = log.start(new Execution("exec_01ZZZZZZZZZZZZZZZZZZZZZZZY", agent.uid(), tenant, "evt_gone",
                "task.completed", null, null, ExecutionStatus.PENDING, null, Map.of(), null, null, 0, null, null, now, now));

        assertThat(start).isEmpty();
        assertThat(log.find(agent.uid(), "exec_01ZZZZZZZZZZZZZZZZZZZZZZZY")).isEmpty();
    }

    @Test
    void aRetryDueLaterThanOneQueueDelay_shouldBeChainedWithoutAnAttempt() {
        String tenant = "tenant_" + UUID.randomUUID();
        String uid = agents.create(tenant, AgentChanges.parse(
                "{\"name\": \"d\", \"events\": [\"task.completed\"], \"callback_url\": \"" + url("/d") + "\"}", true)).uid();
        var retry = new RetryMessage(tenant, uid, "exec_01ZZZZZZZZZZZZZZZZZZZZZZZZ", System.currentTimeMillis() + 3_600_000);
        SQSEvent batch = batchOf(retry.toJson());
        var attribute = new SQSEvent.MessageAttribute();
        attribute.setDataType("String");
        attribute.setStringValue(RetryMessage.TYPE);
        batch.getRecords().get(0).setMessageAttributes(Map.of(RetryMessage.TYPE_ATTRIBUTE, attribute));
        int delayedBefore = delayedMessages();

        var response = new DispatcherHandler(ENV).handleRequest(batch, null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(delayedMessages()).isEqualTo(delayedBefore + 1);
        assertThat(webhookIds("/d")).isEmpty();
    }

    @Test
    void theSampleBatch_shouldDispatchEachEnvelopeShapeAndDeadLetterTheRest() {
        agents.create("tenant_sample", AgentChanges.parse(
                "{\"name\": \"sample\", \"events\": [\"*\"], \"callback_url\": \"" + url("/sample") + "\"}", true));
        SQSEvent batch = EventLoader.loadSQSEvent(LocalAws.eventFile("dispatcher-sqs.json"));

        var response = new DispatcherHandler(ENV).handleRequest(batch, null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(webhookIds("/sample")).hasSize(3);
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            var dead = sqs.receiveMessage(r -> r.queueUrl(ENV.require("DEAD_LETTER_QUEUE_URL"))
                    .maxNumberOfMessages(10).messageAttributeNames("All")).messages();
            assertThat(dead).anySatisfy(m -> {
                assertThat(m.body()).isEqualTo("this is not an event");
                assertThat(m.messageAttributes().get("failure_reason").stringValue()).contains("not valid JSON");
            });
        }
    }

    private static int delayedMessages() {
        try (SqsClient sqs = LocalResources.sqs(LocalAws.shared().aws())) {
            return Integer.parseInt(sqs.getQueueAttributes(r -> r.queueUrl(ENV.require("EVENTS_QUEUE_URL"))
                    .attributeNames(software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                    .attributes().values().iterator().next());
        }
    }
}
