package ai.avala.agents.local.stack;

import static ai.avala.agents.local.stack.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.CallbackReceiver.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What an operator does when receivers misbehave, over HTTP on the local stack: redeliver one execution,
 * replay an agent's failures after an outage, rotate a signing secret with an overlap, and rely on an agent
 * that fails for days being switched off. The delivery stage runs on the stack's clock, which the last tests
 * move forward (hence the order).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorActionsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private CallbackStack fixture;
    private DevStack stack;
    private StackTenants tenants;
    private SqsClient sqs;
    private CallbackReceiver receiver;

    @BeforeAll
    void start() throws Exception {
        fixture = CallbackStack.start(2);
        stack = fixture.stack();
        tenants = fixture.tenants();
        sqs = fixture.sqs();
        receiver = fixture.receiver();
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private ApiClient newTenant(String tenant) {
        return tenants.apiOf(tenant);
    }

    private String agent(ApiClient api, String path) {
        return fixture.agent(api, path);
    }

    private void send(String tenant) {
        fixture.sendTaskCompleted(tenant);
    }

    private static List<JsonValue> executions(ApiClient api, String agent) {
        return CallbackStack.executions(api, agent);
    }

    /** Sends one event to the tenant's only agent; its execution's uid, once it succeeded. */
    private String deliveredExecution(ApiClient api, String tenant, String agent) {
        send(tenant);
        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .singleElement()
                        .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("success")));
        return executions(api, agent).get(0).get("uid").asText();
    }

    private static JsonValue execution(ApiClient api, String agent, String uid) {
        return executions(api, agent).stream()
                .filter(e -> e.get("uid").asText().equals(uid))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Order(1)
    void redeliver_shouldSendAFinishedExecutionAgainWithTheSameWebhookId() {
        String tenant = "tenant_" + UUID.randomUUID();
        ApiClient api = newTenant(tenant);
        String agent = agent(api, "/again");
        String uid = deliveredExecution(api, tenant, agent);
        CountDownLatch release = new CountDownLatch(1);
        receiver.answer("/again", Answer.after(release));

        var accepted = api.post("/agents/" + agent + "/executions/" + uid + "/redeliver/", null);
        var whileRunning = api.post("/agents/" + agent + "/executions/" + uid + "/redeliver", null);
        release.countDown();

        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        assertThat(accepted.json().get("status").asText()).isEqualTo("running");
        assertThat(whileRunning.status()).isEqualTo(409);
        assertThat(whileRunning.detail()).contains("running");
        eventually(WAIT, () -> {
            JsonValue e = execution(api, agent, uid);
            assertThat(e.get("status").asText()).isEqualTo("success");
            assertThat(e.get("attempts").asInt()).isEqualTo(2);
            assertThat(e.get("attempt_history")).hasSize(2);
        });
        List<CallbackReceiver.Call> calls = receiver.calls("/again");
        assertThat(calls).hasSize(2).allMatch(CallbackReceiver.Call::signatureValid);
        assertThat(calls).extracting(call -> call.header("webhook-id")).containsOnly(uid);
        eventually(
                WAIT,
                () -> assertThat(api.get("/agents/" + agent + "/")
                                .json()
                                .get("execution_stats")
                                .toString())
                        .isEqualTo("{\"total\":1,\"success\":1,\"failed\":0,\"pending\":0}"));
    }

    @Test
    @Order(2)
    void redeliver_shouldAnswer404ForAnotherTenantsExecutionAnd400ForANonUid() {
        String tenant = "tenant_" + UUID.randomUUID();
        ApiClient api = newTenant(tenant);
        String agent = agent(api, "/mine");
        String uid = deliveredExecution(api, tenant, agent);
        ApiClient stranger = newTenant("tenant_" + UUID.randomUUID());

        assertThat(stranger.post("/agents/" + agent + "/executions/" + uid + "/redeliver/", null)
                        .status())
                .isEqualTo(404);
        assertThat(api.post("/agents/" + agent + "/executions/exec_01JD7Q3ZC8V6W3N8X4Y5Z6A7B8/redeliver/", null)
                        .status())
                .isEqualTo(404);
        var malformed = api.post("/agents/" + agent + "/executions/nope/redeliver/", null);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.detail()).contains("execution uid");
        assertThat(receiver.calls("/mine")).hasSize(1);
    }

    @Test
    @Order(3)
    void redeliverFailed_shouldReplayEachFailedExecutionOnceAfterAnOutage() {
        String tenant = "tenant_" + UUID.randomUUID();
        ApiClient api = newTenant(tenant);
        receiver.answer("/outage", Answer.json(503, "{\"error\": \"down\"}"));
        String agent = agent(api, "/outage");
        String since = Instant.now().minusSeconds(60).toString();
        for (int i = 0; i < 3; i++) {
            send(tenant);
        }
        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .hasSize(3)
                        .allSatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("failed")));
        assertThat(receiver.calls("/outage")).hasSize(6);
        receiver.answer("/outage", Answer.json(200, "{}"));

        var replay = api.post("/agents/" + agent + "/redeliver-failed/", "{\"since\": \"" + since + "\"}");

        assertThat(replay.status()).as(replay.text()).isEqualTo(202);
        assertThat(replay.json().get("queued").asInt()).isEqualTo(3);
        eventually(
                WAIT,
                () -> assertThat(executions(api, agent)).hasSize(3).allSatisfy(e -> {
                    assertThat(e.get("status").asText()).isEqualTo("success");
                    assertThat(e.get("attempts").asInt()).isEqualTo(3);
                    assertThat(e.get("attempt_history"))
                            .extracting(a -> a.get("status_code").asInt())
                            .containsExactly(503, 503, 200);
                    assertThat(e.get("attempt_history")).allSatisfy(a -> {
                        assertThat(a.get("duration_ms").asLong()).isNotNegative();
                        assertThat(a.get("started_at").asText()).isNotBlank();
                    });
                    assertThat(e.get("next_attempt_at").isNull()).isTrue();
                }));
        Map<String, Long> callsPerExecution = receiver.calls("/outage").stream()
                .collect(Collectors.groupingBy(call -> call.header("webhook-id"), Collectors.counting()));
        assertThat(callsPerExecution)
                .hasSize(3)
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(3));
        assertThat(api.post("/agents/" + agent + "/redeliver-failed/", "{\"since\": \"" + since + "\"}")
                        .json()
                        .get("queued")
                        .asInt())
                .isZero();
    }

    @Test
    @Order(4)
    void redeliverFailed_shouldRefuseAWindowOverSevenDaysBackOrWithoutSince() {
        ApiClient api = newTenant("tenant_" + UUID.randomUUID());
        String agent = agent(api, "/window");

        var tooOld = api.post(
                "/agents/" + agent + "/redeliver-failed/",
                "{\"since\": \"" + Instant.now().minus(Duration.ofDays(8)) + "\"}");
        var missing = api.post("/agents/" + agent + "/redeliver-failed/", "{}");
        var backwards = api.post(
                "/agents/" + agent + "/redeliver-failed/",
                "{\"since\": \"" + Instant.now().minusSeconds(60) + "\", \"until\": \""
                        + Instant.now().minusSeconds(120) + "\"}");

        assertThat(tooOld.status()).isEqualTo(400);
        assertThat(tooOld.detail()).isEqualTo("Invalid replay: since: Must be at most 7 days ago.");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors").has("since")).isTrue();
        assertThat(backwards.status()).isEqualTo(400);
        assertThat(backwards.json().get("errors").has("until")).isTrue();
        assertThat(api.post(
                                "/agents/agent_01JD7Q3ZC8V6W3N8X4Y5Z6A7B8/redeliver-failed/",
                                "{\"since\": \"" + Instant.now().minus(Duration.ofDays(8)) + "\"}")
                        .status())
                .as("an unknown agent, whatever the window")
                .isEqualTo(404);
    }

    @Test
    @Order(5)
    void rotateSecret_shouldSignWithBothSecretsDuringTheOverlapAndOnlyTheNewOneAfter() {
        String tenant = "tenant_" + UUID.randomUUID();
        ApiClient api = newTenant(tenant);
        var created = api.post(
                "/agents/",
                "{\"name\": \"rotating\", \"callback_url\": \"" + receiver.url("/rotating")
                        + "\", \"events\": [\"task.completed\"]}");
        String agent = created.json().get("uid").asText();
        String oldSecret = created.json().get("secret").asText();

        var rotated = api.post("/agents/" + agent + "/rotate-secret/", "{\"overlap_seconds\": 3600}");

        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        String newSecret = rotated.json().get("secret").asText();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
        assertThat(Instant.parse(
                        rotated.json().get("previous_secret_expires_at").asText()))
                .isBetween(Instant.now().plusSeconds(3500), Instant.now().plusSeconds(3700));
        assertThat(api.get("/agents/" + agent + "/").json().has("secret")).isFalse();

        send(tenant);
        eventually(WAIT, () -> assertThat(receiver.calls("/rotating")).hasSize(1));
        CallbackReceiver.Call during = receiver.calls("/rotating").get(0);
        assertThat(during.signatures()).hasSize(2);
        assertThat(during.signedWith(newSecret)).isTrue();
        assertThat(during.signedWith(oldSecret)).isTrue();

        stack.clock().advance(Duration.ofHours(2));
        send(tenant);
        eventually(WAIT, () -> assertThat(receiver.calls("/rotating")).hasSize(2));
        CallbackReceiver.Call after = receiver.calls("/rotating").get(1);
        assertThat(after.signatures()).hasSize(1);
        assertThat(after.signedWith(newSecret)).isTrue();
        assertThat(after.signedWith(oldSecret)).isFalse();
    }

    @Test
    @Order(6)
    void rotateSecret_withoutOverlap_shouldRetireThePreviousSecretAtOnce_andRefuseAnOverlapOverSevenDays() {
        ApiClient api = newTenant("tenant_" + UUID.randomUUID());
        String agent = agent(api, "/no-overlap");

        var rotated = api.post("/agents/" + agent + "/rotate-secret/", "{\"overlap_seconds\": 0}");
        var tooLong = api.post("/agents/" + agent + "/rotate-secret/", "{\"overlap_seconds\": 604801}");
        var byDefault = api.post("/agents/" + agent + "/rotate-secret", null);

        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().get("previous_secret_expires_at").isNull()).isTrue();
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("errors").has("overlap_seconds")).isTrue();
        assertThat(byDefault.status()).isEqualTo(200);
        assertThat(Instant.parse(
                        byDefault.json().get("previous_secret_expires_at").asText()))
                .isBetween(Instant.now().plusSeconds(86_300), Instant.now().plusSeconds(86_500));
    }

    @Test
    @Order(7)
    void autoDisable_shouldSwitchOffAnAgentWhoseCallbacksAllFailedFor120Hours_andActivationShouldClearIt() {
        String tenant = "tenant_" + UUID.randomUUID();
        ApiClient api = newTenant(tenant);
        receiver.answer("/failing", Answer.json(500, "{}"));
        String agent = agent(api, "/failing");
        send(tenant);
        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .singleElement()
                        .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("failed")));
        assertThat(api.get("/agents/" + agent + "/").json().get("is_active").asBoolean())
                .isTrue();

        stack.clock().advance(Duration.ofHours(121));
        send(tenant);

        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .hasSize(2)
                        .allSatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("failed")));
        JsonValue disabled = api.get("/agents/" + agent + "/").json();
        assertThat(disabled.get("is_active").asBoolean()).isFalse();
        assertThat(disabled.get("disabled_reason").asText()).contains("failed for 120 hours");
        assertThat(executions(api, agent).get(0).get("error_message").asText()).contains("switched off");
        assertThat(receiver.calls("/failing")).hasSize(3);

        var activated = api.patch("/agents/" + agent + "/", "{\"is_active\": true}");
        assertThat(activated.status()).isEqualTo(200);
        assertThat(activated.json().get("disabled_reason").isNull()).isTrue();
        assertThat(api.get("/agents/" + agent + "/")
                        .json()
                        .get("disabled_reason")
                        .isNull())
                .isTrue();
    }

    @Test
    @Order(8)
    void autoDisable_shouldNotCountFailuresBeforeASuccess() {
        String tenant = "tenant_" + UUID.randomUUID();
        ApiClient api = newTenant(tenant);
        receiver.answer(
                "/flaky",
                Answer.json(500, "{}"),
                Answer.json(500, "{}"),
                Answer.json(200, "{}"),
                Answer.json(500, "{}"));
        String agent = agent(api, "/flaky");
        send(tenant);
        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .singleElement()
                        .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("failed")));
        send(tenant);
        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .hasSize(2)
                        .anySatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("success")));

        stack.clock().advance(Duration.ofHours(121));
        send(tenant);

        eventually(
                WAIT,
                () -> assertThat(executions(api, agent))
                        .hasSize(3)
                        .filteredOn(e -> e.get("status").asText().equals("failed"))
                        .hasSize(2));
        JsonValue still = api.get("/agents/" + agent + "/").json();
        assertThat(still.get("is_active").asBoolean()).isTrue();
        assertThat(still.get("disabled_reason").isNull()).isTrue();
    }
}
