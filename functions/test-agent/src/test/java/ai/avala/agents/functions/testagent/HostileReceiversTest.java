package ai.avala.agents.functions.testagent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.callback.CallbackDelivery;
import ai.avala.agents.callback.CallbackHttpClient;
import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.HostileReceivers;
import ai.avala.agents.local.emulator.HostileReceivers.Behaviour;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test operation against receivers that misbehave at the HTTP and TLS level, all at once, with a 2 s
 * callback timeout (this module's tests run in a 256 MB heap): each answers 200 within the timeout and a
 * second, saying {@code success} exactly where a 2xx status arrived, and nothing escapes as a 500.
 */
class HostileReceiversTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Wiring WIRING = LocalAws.wiringFor(
            "TestAgentFunction", Map.of("ALLOW_LOCAL_CALLBACKS", "true", "CALLBACK_TIMEOUT_SECONDS", "2"));
    private static HostileReceivers receivers;
    private static TestAgentHandler handler;
    private final AgentService agents = WIRING.agentService();

    @BeforeAll
    static void start() throws Exception {
        receivers = new HostileReceivers();
        var http = new CallbackHttpClient(
                TIMEOUT,
                CallbackDelivery.MAX_RESPONSE_BYTES,
                receivers.clientTls().getSocketFactory(),
                receivers.trustManager());
        handler = new TestAgentHandler(
                WIRING.withCallbacks(new CallbackDelivery(new UrlGuard(true), http, Clock.systemUTC())));
    }

    @AfterAll
    static void stop() {
        receivers.close();
    }

    private record Result(Behaviour behaviour, int status, String body, Duration took) {}

    @Test
    void everyHostileReceiver_shouldEndWithinTheTimeoutAsFailedOrAsSuccessWhereA2xxArrived() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        List<Future<Result>> runs = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Behaviour behaviour : Behaviour.values()) {
                String uid = agents.register(
                                tenant,
                                AgentChanges.forCreate("{\"name\": \"" + behaviour + "\", \"callback_url\": \""
                                        + receivers.url(behaviour) + "\"}"))
                        .agent()
                        .uid();
                runs.add(threads.submit(() -> {
                    long start = System.nanoTime();
                    var response = LocalAws.invoke(handler, LocalAws.apiEvent("test-agent.json", tenant, uid));
                    return new Result(
                            behaviour,
                            response.getStatusCode(),
                            response.getBody(),
                            Duration.ofNanos(System.nanoTime() - start));
                }));
            }
        }
        for (Future<Result> run : runs) {
            Result result = run.get();
            var body = Json.parse(result.body());
            assertThat(result.status())
                    .as(result.behaviour() + ": " + result.body())
                    .isEqualTo(200);
            assertThat(body.get("success").asBoolean())
                    .as(result.behaviour() + ": " + result.body())
                    .isEqualTo(result.behaviour().answers2xx());
            assertThat(body.get("status").asText()).isEqualTo(result.behaviour().answers2xx() ? "success" : "failed");
            // The callback's deadline, a second for the two DynamoDB calls around it on a busy machine.
            assertThat(result.took()).as(result.behaviour().name()).isLessThan(TIMEOUT.plusSeconds(1));
        }
        var approved = runs.stream()
                .map(this::get)
                .filter(r -> r.behaviour() == Behaviour.INTERIM_103_THEN_200)
                .findFirst();
        assertThat(Json.parse(approved.orElseThrow().body())
                        .get("response")
                        .get("action")
                        .asText())
                .isEqualTo("approve");
    }

    private Result get(Future<Result> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
