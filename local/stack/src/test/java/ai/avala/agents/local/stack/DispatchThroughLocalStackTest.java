package ai.avala.agents.local.stack;

import static ai.avala.agents.local.stack.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.CallbackReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Labeling events sent to the local stack's queue with a real SQS client, dispatched by the template's
 * dispatcher function to real loopback receivers that verify every signature. Retries are shortened
 * (1 s apart, 3 attempts, 2 s timeout) through the stack's --env overrides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DispatchThroughLocalStackTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private CallbackStack fixture;
    private DevStack stack;
    private StackTenants tenants;
    private SqsClient sqs;
    private CallbackReceiver receiver;

    record Tenant(String id, ApiClient api) {}

    @BeforeAll
    void start() throws Exception {
        fixture = CallbackStack.start(3);
        stack = fixture.stack();
        tenants = fixture.tenants();
        sqs = fixture.sqs();
        receiver = fixture.receiver();
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private Tenant newTenant() {
        String tenant = "tenant_" + UUID.randomUUID();
        return new Tenant(tenant, tenants.apiOf(tenant));
    }

    /** Registers an agent whose callbacks go to {@code path} of the receiver, which knows its secret. */
    private String agent(Tenant tenant, String path, String fields) {
        String body = "{\"name\": \"" + path + "\", \"callback_url\": \"" + receiver.url(path) + "\""
                + (fields.isEmpty() ? "" : ", " + fields) + "}";
        var response = tenant.api().post("/agents/", body);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        receiver.secret(path, response.json().get("secret").asText());
        return response.json().get("uid").asText();
    }

    private static String event(Tenant tenant, String type, String project, String taskType) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "evt_" + UUID.randomUUID());
        event.put("type", type);
        event.put("tenant", tenant.id());
        event.put("project", project);
        event.put("task_type", taskType);
        event.put("task", "task_1");
        // What the type's catalog schema asks for: a result.* event names its result, an export.* event its export.
        event.put("result", type.startsWith("result.") ? "result_1" : null);
        event.put("occurred_at", "2026-11-28T17:56:48.123Z");
        event.put(
                "data",
                type.startsWith("export.")
                        ? Map.of("export_uid", "export_1", "format", "coco")
                        : Map.of("task_name", "Image 1", "task_status", "completed"));
        return Json.write(event);
    }

    private void send(String body) {
        sqs.sendMessage(r -> r.queueUrl(stack.queueUrl()).messageBody(body));
    }

    /** An agent's execution_stats: they follow its executions within a few seconds (from the stream), so read them eventually. */
    private static String stats(Tenant tenant, String agentUid) {
        return tenant.api()
                .get("/agents/" + agentUid + "/")
                .json()
                .get("execution_stats")
                .toString();
    }

    private static JsonValue executions(Tenant tenant, String agentUid) {
        return tenant.api()
                .get("/agents/" + agentUid + "/executions/?limit=100")
                .json()
                .get("results");
    }

    @Test
    void events_shouldReachExactlyTheAgentsWhoseSubscriptionAndFiltersMatch() {
        Tenant acme = newTenant();
        Tenant other = newTenant();
        String exact = agent(acme, "/m/exact", "\"events\": [\"task.completed\"]");
        String family = agent(acme, "/m/family", "\"events\": [\"task.*\"]");
        String everything = agent(acme, "/m/all", "\"events\": [\"*\"]");
        String project = agent(acme, "/m/project", "\"events\": [\"task.completed\"], \"project\": \"proj_1\"");
        agent(acme, "/m/other-project", "\"events\": [\"task.completed\"], \"project\": \"proj_2\"");
        String taskType =
                agent(acme, "/m/type", "\"events\": [\"task.completed\"], \"task_types\": [\"classification\"]");
        agent(acme, "/m/other-type", "\"events\": [\"task.completed\"], \"task_types\": [\"segmentation\"]");
        agent(acme, "/m/inactive", "\"events\": [\"task.completed\"], \"is_active\": false");
        agent(acme, "/m/other-event", "\"events\": [\"result.submitted\"]");
        agent(other, "/m/other-tenant", "\"events\": [\"*\"]");

        send(event(acme, "task.completed", "proj_1", "classification"));

        List<String> called = List.of("/m/exact", "/m/family", "/m/all", "/m/project", "/m/type");
        eventually(
                WAIT,
                () -> called.forEach(
                        path -> assertThat(receiver.calls(path)).as(path).hasSize(1)));
        for (String uid : List.of(exact, family, everything, project, taskType)) {
            eventually(
                    WAIT,
                    () -> assertThat(executions(acme, uid))
                            .singleElement()
                            .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("success")));
        }
        for (String path :
                List.of("/m/other-project", "/m/other-type", "/m/inactive", "/m/other-event", "/m/other-tenant")) {
            assertThat(receiver.calls(path)).as(path).isEmpty();
        }
        assertThat(receiver.calls("/m/exact").get(0).signatureValid()).isTrue();
        JsonValue body = Json.parse(receiver.calls("/m/exact").get(0).body());
        assertThat(body.get("type").asText()).isEqualTo("task.completed");
        assertThat(body.get("agent").asText()).isEqualTo(exact);
        assertThat(body.get("data").get("task_uid").asText()).isEqualTo("task_1");
        assertThat(body.get("data").get("task_name").asText()).isEqualTo("Image 1");
    }

    @Test
    void theSameEventTwice_shouldMakeOneExecutionAndOneCall() {
        Tenant acme = newTenant();
        String uid = agent(acme, "/dup", "\"events\": [\"task.completed\"]");
        String event = event(acme, "task.completed", null, null);

        send(event);
        send(event);
        eventually(
                WAIT,
                () -> assertThat(executions(acme, uid))
                        .singleElement()
                        .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("success")));
        send(event);

        eventually(WAIT, () -> assertThat(stack.queueDepth()).isZero());
        assertThat(receiver.calls("/dup")).hasSize(1);
        assertThat(executions(acme, uid)).hasSize(1);
        eventually(
                WAIT,
                () -> assertThat(stats(acme, uid)).isEqualTo("{\"total\":1,\"success\":1,\"failed\":0,\"pending\":0}"));
    }

    @Test
    void aFailingReceiver_shouldBeRetriedUntilItSucceeds_withTheSameExecutionId() {
        Tenant acme = newTenant();
        receiver.answer(
                "/flaky",
                CallbackReceiver.Answer.json(500, "{}"),
                new CallbackReceiver.Answer(429, "{}", Map.of("Retry-After", "1"), 0),
                CallbackReceiver.Answer.json(200, "{\"action\": \"reject\", \"reason\": \"blurry\"}"));
        String uid = agent(acme, "/flaky", "\"events\": [\"task.completed\"]");

        send(event(acme, "task.completed", null, null));

        eventually(
                WAIT,
                () -> assertThat(executions(acme, uid)).singleElement().satisfies(e -> {
                    assertThat(e.get("status").asText()).isEqualTo("success");
                    assertThat(e.get("attempts").asInt()).isEqualTo(3);
                    assertThat(e.get("action").asText()).isEqualTo("reject");
                }));
        var calls = receiver.calls("/flaky");
        assertThat(calls)
                .hasSize(3)
                .allSatisfy(call -> assertThat(call.signatureValid()).isTrue());
        assertThat(calls)
                .extracting(call -> call.headers().get("webhook-id").get(0))
                .containsOnly(executions(acme, uid).get(0).get("uid").asText());
    }

    @Test
    void aReceiverThatNeverSucceeds_shouldEndFailedAfterTheLastAttempt() {
        Tenant acme = newTenant();
        receiver.answer("/slow", new CallbackReceiver.Answer(200, "{}", Map.of(), 4000));
        receiver.answer("/hangup", CallbackReceiver.Answer.hangingUp());
        String slow = agent(acme, "/slow", "\"events\": [\"task.completed\"]");
        String hangup = agent(acme, "/hangup", "\"events\": [\"task.completed\"]");

        send(event(acme, "task.completed", null, null));

        eventually(
                WAIT,
                () -> assertThat(executions(acme, slow)).singleElement().satisfies(e -> {
                    assertThat(e.get("status").asText()).isEqualTo("failed");
                    assertThat(e.get("attempts").asInt()).isEqualTo(3);
                    assertThat(e.get("error_message").asText())
                            .contains("timed out")
                            .contains("Gave up after 3");
                }));
        eventually(
                WAIT,
                () -> assertThat(executions(acme, hangup)).singleElement().satisfies(e -> {
                    assertThat(e.get("status").asText()).isEqualTo("failed");
                    assertThat(e.get("error_message").asText()).contains("connection failed");
                }));
        assertThat(receiver.calls("/hangup")).hasSize(3);
        eventually(
                WAIT,
                () -> assertThat(stats(acme, slow))
                        .isEqualTo("{\"total\":1,\"success\":0,\"failed\":1,\"pending\":0}"));
    }

    @Test
    void aGoneReceiver_shouldDeactivateItsAgentWithoutRetrying() {
        Tenant acme = newTenant();
        receiver.answer("/gone", CallbackReceiver.Answer.json(410, "{}"));
        String uid = agent(acme, "/gone", "\"events\": [\"task.completed\"]");

        send(event(acme, "task.completed", null, null));

        eventually(
                WAIT,
                () -> assertThat(executions(acme, uid)).singleElement().satisfies(e -> {
                    assertThat(e.get("status").asText()).isEqualTo("failed");
                    assertThat(e.get("error_message").asText()).contains("410").contains("deactivated");
                }));
        JsonValue agent = acme.api().get("/agents/" + uid + "/").json();
        assertThat(agent.get("is_active").asBoolean()).isFalse();
        assertThat(agent.get("disabled_reason").asText()).isEqualTo("Its callback answered 410 Gone.");
        send(event(acme, "task.completed", null, null));
        eventually(WAIT, () -> assertThat(stack.queueDepth()).isZero());
        assertThat(receiver.calls("/gone")).hasSize(1);
    }

    @Test
    void unprocessableMessages_shouldLandInTheDeadLetterQueueWithTheirReason() {
        Tenant acme = newTenant();
        String uid = agent(acme, "/wrapped", "\"events\": [\"task.completed\", \"result.submitted\"]");
        Map<String, String> poison = new LinkedHashMap<>();
        String marker = UUID.randomUUID().toString();
        poison.put("not json " + marker, "not valid JSON");
        poison.put("{\"type\": \"task.completed\", \"tenant\": \"" + marker + "\"}", "\"id\"");
        poison.put("{\"id\": \"" + marker + "\", \"type\": \"task.completed\"}", "\"tenant\"");
        poison.put("{\"id\": \"" + marker + "\", \"type\": \"Bad Type\", \"tenant\": \"x\"}", "dotted");
        // Readable, but not what the event catalog knows: a typo'd type, a result event that names no result.
        poison.put(
                "{\"id\": \"" + marker + "\", \"type\": \"task.complete\", \"tenant\": \"" + acme.id() + "\"}",
                "not in the event catalog");
        poison.put(
                "{\"id\": \"" + marker + "\", \"type\": \"result.submitted\", \"tenant\": \"" + acme.id()
                        + "\", \"task\": \"task_1\"}",
                "required property 'result'");
        poison.put(
                "{\"id\": \"" + marker + "\", \"type\": \"task.completed\", \"tenant\": \"" + acme.id()
                        + "\", \"data\": {\"blob\": \"" + "x".repeat(300 * 1024) + "\"}}",
                "larger than 262144 bytes");

        poison.keySet().forEach(this::send);
        send(Json.write(Map.of("Type", "Notification", "Message", event(acme, "task.completed", null, null))));
        send(Json.write(Map.of(
                "id",
                "eb-" + marker,
                "detail-type",
                "result.submitted",
                "source",
                "avala",
                "detail",
                Map.of("tenant", acme.id(), "task", "task_7", "result", "result_7"))));

        List<Message> dead = new ArrayList<>();
        eventually(WAIT, () -> {
            dead.addAll(sqs.receiveMessage(r -> r.queueUrl(stack.dlqUrl())
                            .maxNumberOfMessages(10)
                            .messageAttributeNames("All")
                            .waitTimeSeconds(1))
                    .messages());
            assertThat(dead.stream().filter(m -> m.body().contains(marker))).hasSize(poison.size());
        });
        poison.forEach((body, reason) -> assertThat(dead)
                .filteredOn(m -> m.body().equals(body))
                .singleElement()
                .satisfies(m -> assertThat(
                                m.messageAttributes().get("failure_reason").stringValue())
                        .contains(reason)));
        eventually(
                WAIT,
                () -> assertThat(executions(acme, uid))
                        .hasSize(2)
                        .allSatisfy(e -> assertThat(e.get("status").asText()).isEqualTo("success")));
        assertThat(stack.queueDepth()).isZero();
    }

    @Test
    void pullModeAgents_shouldGetPendingExecutionsThatTheirActionsComplete() {
        Tenant acme = newTenant();
        Tenant other = newTenant();
        var created = acme.api().post("/agents/", "{\"name\": \"puller\", \"events\": [\"result.submitted\"]}");
        String uid = created.json().get("uid").asText();

        send(event(acme, "result.submitted", "proj_1", "classification"));
        // The worker's poll claims what it receives: the execution is taken from the poll that returned it.
        java.util.concurrent.atomic.AtomicReference<JsonValue> polled =
                new java.util.concurrent.atomic.AtomicReference<>();
        eventually(WAIT, () -> {
            JsonValue results = acme.api()
                    .get("/agents/" + uid + "/executions/?status=pending")
                    .json()
                    .get("results");
            if (!results.isEmpty()) {
                polled.set(results.get(0));
            }
            assertThat(polled.get()).isNotNull();
        });
        JsonValue pending = polled.get();
        String execution = pending.get("uid").asText();

        var foreign =
                other.api().post("/agent-actions/", "{\"execution\": \"" + execution + "\", \"action\": \"approve\"}");
        var unknown =
                acme.api().post("/agent-actions/", "{\"execution\": \"" + execution + "\", \"action\": \"maybe\"}");
        var decided = acme.api()
                .post(
                        "/agent-actions/",
                        "{\"execution\": \"" + execution + "\", \"action\": \"approve\", \"reason\": \"good\"}");
        var again = acme.api()
                .post(
                        "/agent-actions/",
                        "{\"execution\": \"" + execution + "\", \"action\": \"approve\", \"reason\": \"good\"}");
        var conflicting =
                acme.api().post("/agent-actions/", "{\"execution\": \"" + execution + "\", \"action\": \"reject\"}");

        assertThat(pending.get("status").asText()).as("claimed by the poll").isEqualTo("running");
        assertThat(pending.get("event_payload").get("project_uid").asText()).isEqualTo("proj_1");
        assertThat(pending.get("event_payload").get("task_type").asText()).isEqualTo("classification");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("errors").has("action")).isTrue();
        assertThat(decided.status()).isEqualTo(200);
        assertThat(decided.json().get("status").asText()).isEqualTo("success");
        assertThat(decided.json().get("action").asText()).isEqualTo("approve");
        assertThat(decided.json().get("response_payload").get("reason").asText())
                .isEqualTo("good");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("uid").asText()).isEqualTo(execution);
        assertThat(conflicting.status()).isEqualTo(409);
        assertThat(acme.api()
                        .get("/agents/" + uid + "/executions/?status=pending")
                        .json()
                        .get("results"))
                .isEmpty();
        eventually(
                WAIT,
                () -> assertThat(stats(acme, uid)).isEqualTo("{\"total\":1,\"success\":1,\"failed\":0,\"pending\":0}"));
    }

    @Test
    void oneEvent_shouldFanOutToFiftyAgentsConcurrently() {
        Tenant acme = newTenant();
        CountDownLatch release = new CountDownLatch(1);
        receiver.answer("/fan/held", CallbackReceiver.Answer.after(release));
        String held = agent(acme, "/fan/held", "\"events\": [\"export.completed\"]");
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 49; i++) {
            uids.add(agent(acme, "/fan/" + i, "\"events\": [\"export.*\"]"));
        }

        send(event(acme, "export.completed", null, null));

        try {
            // While one receiver holds its callback open, the other 49 are already called and recorded.
            eventually(WAIT, () -> {
                for (int i = 0; i < 49; i++) {
                    assertThat(receiver.calls("/fan/" + i)).as("agent " + i).hasSize(1);
                }
            });
            eventually(
                    WAIT,
                    () -> assertThat(executions(acme, uids.get(48)))
                            .singleElement()
                            .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("success")));
            assertThat(receiver.calls("/fan/held")).hasSize(1);
        } finally {
            release.countDown();
        }
        eventually(
                WAIT,
                () -> assertThat(executions(acme, held))
                        .singleElement()
                        .satisfies(e -> assertThat(e.get("status").asText()).isIn("success", "running")));
        assertThat(uids).allSatisfy(uid -> assertThat(executions(acme, uid)).hasSize(1));
    }
}
