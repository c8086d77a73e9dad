package ai.avala.agents.functions.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.CallbackHttpClient;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.HostileReceivers;
import ai.avala.agents.local.emulator.HostileReceivers.Behaviour;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.paging.PageRequest;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentListings;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.ExecutionLog;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One batch of delivery tasks for agents whose receivers misbehave at the HTTP and TLS level, and one
 * healthy agent, with one attempt per callback and a 2 s timeout (this module's tests run in a 256 MB heap):
 * no task fails, every execution ends (failed, or success where a 2xx arrived), and the healthy agent is
 * called at once.
 */
class HostileReceiversTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final AgentListings LISTINGS =
            LocalAws.wiringFor("ListExecutionsFunction", Map.of()).listings();
    private static final Wiring WIRING = LocalAws.wiringFor(
            "DeliveryFunction",
            Map.of(
                    "ALLOW_LOCAL_CALLBACKS",
                    "true",
                    "CALLBACK_TIMEOUT_SECONDS",
                    "2",
                    "CALLBACK_MAX_ATTEMPTS",
                    "1",
                    "TENANT_MAX_IN_FLIGHT",
                    "20"));
    private static HostileReceivers receivers;
    private static CallbackReceiver healthy;
    private static DeliveryHandler handler;
    private final AgentService agents = WIRING.agentService();
    private final ExecutionLog executions = WIRING.executions();

    @BeforeAll
    static void start() throws Exception {
        receivers = new HostileReceivers();
        healthy = new CallbackReceiver();
        var http = new CallbackHttpClient(
                TIMEOUT,
                CallbackDelivery.MAX_RESPONSE_BYTES,
                receivers.clientTls().getSocketFactory(),
                receivers.trustManager());
        handler = new DeliveryHandler(
                WIRING.withCallbacks(new CallbackDelivery(new UrlGuard(true), http, Clock.systemUTC())));
    }

    @AfterAll
    static void stop() {
        receivers.close();
        healthy.close();
    }

    @Test
    void tasksForHostileReceivers_shouldFailNoTaskEndEveryExecutionAndReachTheHealthyAgentAtOnce() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        Map<Behaviour, String> hostile = new EnumMap<>(Behaviour.class);
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (Behaviour behaviour : Behaviour.values()) {
            hostile.put(behaviour, agent(tenant, behaviour.name(), receivers.url(behaviour)));
            messages.add(task(tenant, hostile.get(behaviour)));
        }
        String healthyAgent = agent(tenant, "healthy", healthy.url("/healthy"));
        messages.add(task(tenant, healthyAgent));
        SQSEvent batch = new SQSEvent();
        batch.setRecords(messages);
        AtomicLong healthyCalledAfter = new AtomicLong(-1);

        long start = System.nanoTime();
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (healthy.calls("/healthy").isEmpty() && System.nanoTime() - start < 20_000_000_000L) {
                Thread.onSpinWait();
            }
            healthyCalledAfter.set((System.nanoTime() - start) / 1_000_000);
        });
        var response = LocalAws.invoke(handler, batch);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        watcher.join();

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(healthyCalledAfter.get())
                .as("ms until the healthy agent was called")
                .isBetween(0L, 1500L);
        // Every callback at once, each within its deadline, plus the executions' writes on a busy machine.
        assertThat(took).isLessThan(TIMEOUT.plusSeconds(4));
        hostile.forEach((behaviour, uid) -> assertThat(executions(tenant, uid))
                .as(behaviour.name())
                .singleElement()
                .satisfies(execution -> assertThat(execution.status())
                        .isEqualTo(behaviour.answers2xx() ? ExecutionStatus.SUCCESS : ExecutionStatus.FAILED)));
        assertThat(executions(tenant, healthyAgent))
                .singleElement()
                .satisfies(execution -> assertThat(execution.status()).isEqualTo(ExecutionStatus.SUCCESS));
    }

    /** A running execution of the agent, as the matching stage records it, and its first delivery task. */
    private SQSEvent.SQSMessage task(String tenant, String agentUid) {
        Instant now = Instant.now();
        String uid = "exec_" + Ids.ulid(now.toEpochMilli());
        executions.create(new Execution(
                uid,
                agentUid,
                tenant,
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
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(UUID.randomUUID().toString());
        message.setBody(new DeliveryTask(tenant, agentUid, uid, 0, now.toEpochMilli()).toJson());
        message.setMessageAttributes(Map.of());
        return message;
    }

    private String agent(String tenant, String name, String url) {
        return agents.register(
                        tenant,
                        AgentChanges.forCreate("{\"name\": \"" + name + "\", \"events\": [\"task.completed\"], "
                                + "\"callback_url\": \"" + url + "\"}"))
                .agent()
                .uid();
    }

    private List<Execution> executions(String tenant, String agentUid) {
        return LISTINGS.executions(tenant, agentUid, null, PageRequest.of(10, null))
                .items();
    }
}
