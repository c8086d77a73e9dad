package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.store.ApiKeyStore;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agents API over real HTTP through the local stack, as the Avala clients use it. Subclasses
 * choose the AWS emulator the stack runs on; every test works in tenants of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgentsApiContract {

    protected DevStack stack;
    private ApiKeyStore keys;
    private CallbackReceiver receiver;

    /** Starts the stack with {@code --allow-local-callbacks} on the emulator of the subclass. */
    protected abstract DevStack startStack() throws Exception;

    @BeforeAll
    void start() throws Exception {
        stack = startStack();
        var env = FunctionEnvironment.of(stack.resources(), "AuthorizerFunction", Map.of());
        keys = new ApiKeyStore(AwsClients.dynamoDb(stack.resources().aws()), env.get("API_KEYS_TABLE"));
        receiver = new CallbackReceiver();
    }

    @AfterAll
    void stop() {
        receiver.close();
        stack.close();
    }

    /** A client with the key of a fresh tenant. */
    private ApiClient newTenant() {
        String key = ApiKeyStore.newKey();
        keys.register(key, "tenant_" + UUID.randomUUID());
        return new ApiClient(stack.apiUrl(), key);
    }

    private static JsonValue created(ApiClient api, String body) {
        var response = api.post("/agents/", body);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    @Test
    void everyOperation_shouldAnswer401WithDetail_whenTheKeyIsMissingOrUnknown() {
        var owner = newTenant();
        String uid = created(owner, "{\"name\": \"a\"}").get("uid").asText();
        for (ApiClient caller : List.of(owner.as(null), owner.as("avk_not_a_key"))) {
            List<ApiClient.Response> responses = List.of(
                    caller.get("/agents/"),
                    caller.post("/agents/", "{\"name\": \"x\"}"),
                    caller.get("/agents/" + uid + "/"),
                    caller.patch("/agents/" + uid + "/", "{\"name\": \"x\"}"),
                    caller.delete("/agents/" + uid + "/"),
                    caller.get("/agents/" + uid + "/executions/"),
                    caller.post("/agents/" + uid + "/test/", null));
            assertThat(responses).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.detail()).isNotBlank().doesNotContain("avk_not_a_key");
            });
        }
        assertThat(owner.get("/agents/" + uid + "/").status()).isEqualTo(200);
    }

    @Test
    void agentLifecycle_shouldCreateReadListUpdateAndDelete() {
        var api = newTenant();

        var agent = created(
                api,
                "{\"name\": \"Reviewer\", \"description\": \"checks\", \"events\": [\"task.completed\"],"
                        + " \"callback_url\": \"https://hooks.example.com/avala\", \"project\": \"proj_1\","
                        + " \"task_types\": [\"classification\"]}");
        String uid = agent.get("uid").asText();
        var fetched = api.get("/agents/" + uid + "/");
        var listed = api.get("/agents/");
        var updated = api.patch("/agents/" + uid + "/", "{\"name\": \"Renamed\", \"callback_url\": null}");
        var deleted = api.delete("/agents/" + uid + "/");

        assertThat(agent.get("secret").asText()).startsWith("whsec_");
        assertThat(agent.get("is_active").asBoolean()).isTrue();
        assertThat(agent.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(fetched.json().has("secret")).isFalse();
        assertThat(fetched.json().get("task_types").get(0).asText()).isEqualTo("classification");
        assertThat(listed.json().get("results"))
                .extracting(n -> n.get("uid").asText())
                .containsExactly(uid);
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("name").asText()).isEqualTo("Renamed");
        assertThat(updated.json().get("callback_url").isNull()).isTrue();
        assertThat(updated.json().get("description").asText()).isEqualTo("checks");
        assertThat(updated.json().get("updated_at").asText())
                .isGreaterThan(agent.get("updated_at").asText());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.text()).isEmpty();
        assertThat(api.get("/agents/" + uid + "/").status()).isEqualTo(404);
        assertThat(api.delete("/agents/" + uid + "/").status()).isEqualTo(404);
    }

    @Test
    void everyPath_shouldWorkWithAndWithoutTheTrailingSlash() {
        var api = newTenant();
        String uid = created(api, "{\"name\": \"slashes\"}").get("uid").asText();

        assertThat(api.post("/agents", "{\"name\": \"no slash\"}").status()).isEqualTo(201);
        assertThat(api.get("/agents").status()).isEqualTo(200);
        assertThat(api.get("/agents/" + uid).status()).isEqualTo(200);
        assertThat(api.patch("/agents/" + uid, "{\"is_active\": false}").status())
                .isEqualTo(200);
        assertThat(api.get("/agents/" + uid + "/executions").status()).isEqualTo(200);
        assertThat(api.post("/agents/" + uid + "/test", null).status())
                .as("pull mode: 409")
                .isEqualTo(409);
        assertThat(api.delete("/agents/" + uid).status()).isEqualTo(204);
    }

    @Test
    void badInput_shouldGetA400WithADetailAndFieldErrors_neverA500() {
        var api = newTenant();
        Map<String, String> bodies = Map.ofEntries(
                Map.entry("{\"name\": ", "Malformed JSON"),
                Map.entry("[1, 2]", "JSON object"),
                Map.entry("", "empty"),
                Map.entry("{\"name\": \"x\", \"secret\": \"whsec_mine\"}", "secret"),
                Map.entry("{\"name\": 42}", "name"),
                Map.entry("{\"name\": \"" + "n".repeat(256) + "\"}", "name"),
                Map.entry("{\"name\": \"x\", \"events\": \"task.completed\"}", "events"),
                Map.entry("{\"name\": \"x\", \"events\": [\"Task Completed\"]}", "events"),
                Map.entry("{\"name\": \"x\", \"is_active\": \"yes\"}", "is_active"),
                Map.entry("{\"name\": \"x\", \"task_types\": [1]}", "task_types"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"not a url\"}", "callback_url"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"https://169.254.169.254/latest\"}", "callback_url"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"https://10.0.0.7/hook\"}", "callback_url"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"ftp://example.com/\"}", "callback_url"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"https://example.com:70000/hook\"}", "callback_url"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"https://example.com:25/hook\"}", "callback_url"),
                Map.entry("{\"name\": \"x\", \"callback_url\": \"https://example.com./h\"}", "callback_url"),
                Map.entry("{\"name\": \"a\\u0000b\"}", "name"),
                Map.entry("{\"name\": \"x\", \"project\": \"p\\u202Eq\"}", "project"),
                Map.entry("{\"name\": \"x\", \"events\": [\"task.completed\\u0007\"]}", "events"),
                Map.entry("{\"name\": \"x\", \"task_types\": [\"a\\u0085\"]}", "task_types"),
                Map.entry("{\"name\": " + "[".repeat(5000) + "]".repeat(5000) + "}", "nested deeper than 100"));
        bodies.forEach((body, mentioned) -> {
            var response = api.post("/agents/", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.detail()).as(body).containsIgnoringCase(mentioned);
        });
        var fieldErrors = api.post("/agents/", "{\"description\": 1, \"colour\": \"red\"}")
                .json()
                .get("errors");
        assertThat(fieldErrors.has("name")).isTrue();
        assertThat(fieldErrors.has("description")).isTrue();
        assertThat(fieldErrors.get("colour").get(0).asText()).isEqualTo("Unknown field.");
        assertThat(api.get("/agents/").json().get("results")).isEmpty();
    }

    @Test
    void aBodyOverTheGatewaysLimit_shouldAnswer413WithDetail() {
        var response = newTenant().post("/agents/", "{\"name\": \"" + "x".repeat(10 * 1024 * 1024) + "\"}");

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.detail()).isNotBlank();
    }

    @Test
    void awsLimits_shouldBeAnsweredAtTheEdgeWith400Or413AndADetail_neverWithA500FromDynamoDb() {
        var api = newTenant();
        String tooLong = "agent_" + "A".repeat(1100);
        String malformed = "agent_not-a-ulid";
        for (String uid : List.of(tooLong, malformed)) {
            List<ApiClient.Response> responses = List.of(
                    api.get("/agents/" + uid + "/"),
                    api.patch("/agents/" + uid + "/", "{\"name\": \"x\"}"),
                    api.delete("/agents/" + uid + "/"),
                    api.get("/agents/" + uid + "/executions/"),
                    api.post("/agents/" + uid + "/test/", null));
            assertThat(responses).allSatisfy(r -> {
                assertThat(r.status()).as(r.text()).isEqualTo(400);
                assertThat(r.detail()).contains("Invalid agent uid");
            });
        }
        int limit = 64 * 1024;
        String padding = " ".repeat(limit - "{\"name\": \"x\"}".length());
        var atLimit = api.post("/agents/", "{\"name\": \"x\"}" + padding);
        var overLimit = api.post("/agents/", "{\"name\": \"x\"}" + padding + " ");
        var foreignExecution = api.post(
                "/agent-actions/", "{\"execution\": \"exec_" + "X".repeat(2000) + "\", \"action\": \"approve\"}");

        assertThat(atLimit.status()).as(atLimit.text()).isEqualTo(201);
        assertThat(overLimit.status()).isEqualTo(413);
        assertThat(overLimit.detail()).contains("65536 bytes");
        assertThat(foreignExecution.status()).isEqualTo(400);
        assertThat(foreignExecution.json().get("errors").has("execution")).isTrue();
    }

    @Test
    void theLargestAgent_shouldBeStoredAndHaveAllItsEventsReplacedInOneTransaction() {
        var api = newTenant();
        // 100-character types a deployment added (LongEventTypes, the stack's EVENT_TYPES_DIR).
        List<String> events = LongEventTypes.names('x');
        List<String> others = LongEventTypes.names('y');
        List<String> taskTypes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            taskTypes.add(String.format("%03d", i) + "t".repeat(97));
        }
        String body = "{\"name\": \"" + "n".repeat(255) + "\", \"description\": \"" + "d".repeat(2000)
                + "\", \"events\": " + Json.write(events) + ", \"task_types\": " + Json.write(taskTypes)
                + ", \"project\": \"" + "p".repeat(255) + "\", \"callback_url\": \"https://hooks.example.com/"
                + "h".repeat(2048 - "https://hooks.example.com/".length()) + "\"}";

        var agent = created(api, body);
        var replaced =
                api.patch("/agents/" + agent.get("uid").asText() + "/", "{\"events\": " + Json.write(others) + "}");

        assertThat(agent.get("events")).hasSize(32);
        assertThat(replaced.status()).as(replaced.text()).isEqualTo(200);
        assertThat(replaced.json().get("events").get(0).asText()).isEqualTo(others.get(0));
    }

    @Test
    void unknownRoutesAndIds_shouldAnswer404WithDetail() {
        var api = newTenant();

        assertThat(api.get("/agents/agent_01ZZZZZZZZZZZZZZZZZZZZZZZZ/").status())
                .isEqualTo(404);
        assertThat(api.get("/agents/agent_01ZZZZZZZZZZZZZZZZZZZZZZZZ/").detail())
                .isEqualTo("Not found.");
        assertThat(api.get("/agents/agent_01ZZZZZZZZZZZZZZZZZZZZZZZZ/executions/")
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/nothing-here/").status()).isEqualTo(404);
        assertThat(api.get("/nothing-here/").detail()).isEqualTo("Not found.");
    }

    @Test
    void list_shouldPageNewestFirstWithoutRepeatsOrGaps_whileAgentsAreBeingAdded() {
        var api = newTenant();
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            uids.add(created(api, "{\"name\": \"agent " + i + "\"}").get("uid").asText());
        }
        List<String> expected = new ArrayList<>(uids);
        java.util.Collections.reverse(expected);

        List<String> seen = new ArrayList<>();
        String next = "/agents/?limit=10";
        int pages = 0;
        while (next != null) {
            var page = api.get(next);
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            page.json()
                    .get("results")
                    .forEach(agent -> seen.add(agent.get("uid").asText()));
            assertThat(page.json().get("previous").isNull()).isTrue();
            next = page.json().get("next").isNull()
                    ? null
                    : page.json().get("next").asText();
            if (next != null) {
                assertThat(next)
                        .startsWith(stack.apiUrl() + "/agents/?")
                        .contains("limit=10")
                        .contains("cursor=");
            }
            created(api, "{\"name\": \"added while paging " + pages + "\"}");
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void cursors_shouldBeRefused_whenForgedOrUsedOutsideTheirList() {
        var alice = newTenant();
        var bob = newTenant();
        for (int i = 0; i < 3; i++) {
            created(alice, "{\"name\": \"a" + i + "\"}");
        }
        String next = alice.get("/agents/?limit=1").json().get("next").asText();
        String cursor = URLDecoder.decode(
                URI.create(next).getRawQuery().replaceAll(".*cursor=([^&]*).*", "$1"), StandardCharsets.UTF_8);
        String uid =
                alice.get("/agents/").json().get("results").get(0).get("uid").asText();

        assertThat(alice.get("/agents/?cursor=" + cursor).status()).isEqualTo(200);
        assertThat(bob.get("/agents/?cursor=" + cursor).status()).isEqualTo(400);
        assertThat(bob.get("/agents/?cursor=" + cursor).detail()).isEqualTo("Invalid cursor.");
        assertThat(alice.get("/agents/" + uid + "/executions/?cursor=" + cursor).status())
                .isEqualTo(400);
        assertThat(alice.get("/agents/?cursor=" + cursor.substring(1)).status()).isEqualTo(400);
        assertThat(alice.get("/agents/?cursor=%00%ff").status()).isEqualTo(400);
        for (String limit : List.of("0", "101", "-1", "ten", "1.5")) {
            assertThat(alice.get("/agents/?limit=" + limit).status()).as(limit).isEqualTo(400);
        }
        assertThat(alice.get("/agents/?limit=100").status()).isEqualTo(200);
    }

    @Test
    void anotherTenantsAgent_shouldBeNotFoundOnEveryOperation() {
        var owner = newTenant();
        var stranger = newTenant();
        receiver.answer("/isolation", CallbackReceiver.Answer.json(200, "{}"));
        String uid = created(owner, "{\"name\": \"private\", \"callback_url\": \"" + receiver.url("/isolation") + "\"}")
                .get("uid")
                .asText();

        List<ApiClient.Response> responses = List.of(
                stranger.get("/agents/" + uid + "/"),
                stranger.patch("/agents/" + uid + "/", "{\"name\": \"mine\"}"),
                stranger.delete("/agents/" + uid + "/"),
                stranger.get("/agents/" + uid + "/executions/"),
                stranger.post("/agents/" + uid + "/test/", null));

        assertThat(responses).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.detail()).isEqualTo("Not found.");
        });
        assertThat(stranger.get("/agents/").json().get("results")).isEmpty();
        assertThat(receiver.calls("/isolation")).isEmpty();
        assertThat(owner.get("/agents/" + uid + "/").json().get("name").asText())
                .isEqualTo("private");
    }

    @Test
    void testOperation_shouldSendASignedCallbackAndRecordTheExecution() {
        var api = newTenant();
        var agent = created(api, "{\"name\": \"tested\", \"callback_url\": \"" + receiver.url("/signed") + "\"}");
        receiver.secret("/signed", agent.get("secret").asText());
        receiver.answer(
                "/signed", CallbackReceiver.Answer.json(200, "{\"action\": \"approve\", \"reason\": \"fine\"}"));
        String uid = agent.get("uid").asText();

        var result = api.post("/agents/" + uid + "/test/", null);

        assertThat(result.status()).isEqualTo(200);
        var json = result.json();
        assertThat(json.get("success").asBoolean()).isTrue();
        assertThat(json.get("delivered").asBoolean()).isTrue();
        assertThat(json.get("status").asText()).isEqualTo("success");
        assertThat(json.get("status_code").asInt()).isEqualTo(200);
        assertThat(json.get("response").get("reason").asText()).isEqualTo("fine");
        assertThat(json.get("message").asText()).isNotBlank();
        var calls = receiver.calls("/signed");
        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.signatureValid()).isTrue();
            var body = Json.parse(call.body());
            assertThat(body.get("type").asText()).isEqualTo("agent.test");
            assertThat(body.get("agent").asText()).isEqualTo(uid);
            assertThat(body.get("id").asText()).isEqualTo(json.get("execution").asText());
            assertThat(call.headers().get("webhook-id"))
                    .containsExactly(json.get("execution").asText());
        });
        var executions = api.get("/agents/" + uid + "/executions/").json().get("results");
        assertThat(executions).singleElement().satisfies(e -> {
            assertThat(e.get("uid").asText()).isEqualTo(json.get("execution").asText());
            assertThat(e.get("registration").asText()).isEqualTo(uid);
            assertThat(e.get("event_type").asText()).isEqualTo("agent.test");
            assertThat(e.get("status").asText()).isEqualTo("success");
            assertThat(e.get("action").asText()).isEqualTo("approve");
            assertThat(e.get("attempts").asInt()).isEqualTo(1);
            assertThat(e.get("response_payload").get("reason").asText()).isEqualTo("fine");
        });
        // The statistics follow the executions from the table's stream, within a few seconds.
        Eventually.eventually(
                Duration.ofSeconds(20),
                () -> assertThat(api.get("/agents/" + uid + "/")
                                .json()
                                .get("execution_stats")
                                .toString())
                        .isEqualTo("{\"total\":1,\"success\":1,\"failed\":0,\"pending\":0}"));
    }

    @Test
    void testOperation_shouldRecordAFailure_whenTheReceiverFailsRedirectsOrIsUnreachable() throws Exception {
        var api = newTenant();
        receiver.answer("/broken", CallbackReceiver.Answer.json(500, "{\"error\": \"boom\"}"));
        receiver.answer(
                "/moved", new CallbackReceiver.Answer(302, null, Map.of("Location", receiver.url("/elsewhere")), 0));
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String broken = created(api, "{\"name\": \"b\", \"callback_url\": \"" + receiver.url("/broken") + "\"}")
                .get("uid")
                .asText();
        String moved = created(api, "{\"name\": \"m\", \"callback_url\": \"" + receiver.url("/moved") + "\"}")
                .get("uid")
                .asText();
        String gone = created(api, "{\"name\": \"g\", \"callback_url\": \"http://127.0.0.1:" + closedPort + "/x\"}")
                .get("uid")
                .asText();

        var brokenResult = api.post("/agents/" + broken + "/test/", null).json();
        var movedResult = api.post("/agents/" + moved + "/test/", null).json();
        var goneResult = api.post("/agents/" + gone + "/test/", null).json();

        assertThat(brokenResult.get("success").asBoolean()).isFalse();
        assertThat(brokenResult.get("delivered").asBoolean()).isTrue();
        assertThat(brokenResult.get("status").asText()).isEqualTo("failed");
        assertThat(brokenResult.get("status_code").asInt()).isEqualTo(500);
        assertThat(movedResult.get("status_code").asInt()).isEqualTo(302);
        assertThat(movedResult.get("message").asText()).contains("redirect");
        assertThat(receiver.calls("/elsewhere")).isEmpty();
        assertThat(goneResult.get("delivered").asBoolean()).isFalse();
        assertThat(goneResult.get("status_code").isNull()).isTrue();
        assertThat(goneResult.get("message").asText()).contains("refused");
        var failed = api.get("/agents/" + broken + "/executions/?status=failed")
                .json()
                .get("results");
        assertThat(failed)
                .singleElement()
                .satisfies(e -> assertThat(e.get("error_message").asText()).contains("500"));
        assertThat(api.get("/agents/" + broken + "/executions/?status=success")
                        .json()
                        .get("results"))
                .isEmpty();
        assertThat(api.get("/agents/" + broken + "/executions/?status=finished").status())
                .isEqualTo(400);
        Eventually.eventually(
                Duration.ofSeconds(20),
                () -> assertThat(api.get("/agents/" + broken + "/")
                                .json()
                                .get("execution_stats")
                                .get("failed")
                                .asInt())
                        .isEqualTo(1));
    }

    @Test
    void testOperation_shouldAnswer409ForAPullModeAgent() {
        var api = newTenant();
        String uid = created(api, "{\"name\": \"puller\", \"events\": [\"task.completed\"]}")
                .get("uid")
                .asText();

        var response = api.post("/agents/" + uid + "/test/", null);

        assertThat(response.status())
                .as("the request is valid; the agent's state (pull mode) is what conflicts")
                .isEqualTo(409);
        assertThat(response.detail()).contains("callback_url");
    }

    @Test
    void executions_shouldPageNewestFirst() {
        var api = newTenant();
        receiver.answer("/paged", CallbackReceiver.Answer.json(204, null));
        String uid = created(api, "{\"name\": \"p\", \"callback_url\": \"" + receiver.url("/paged") + "\"}")
                .get("uid")
                .asText();
        List<String> executions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            executions.add(api.post("/agents/" + uid + "/test/", null)
                    .json()
                    .get("execution")
                    .asText());
        }

        var first = api.get("/agents/" + uid + "/executions/?limit=2").json();
        var second = api.get(first.get("next").asText()).json();

        Set<String> seen = new HashSet<>();
        first.get("results").forEach(e -> seen.add(e.get("uid").asText()));
        assertThat(first.get("results").get(0).get("uid").asText()).isEqualTo(executions.get(2));
        assertThat(second.get("results"))
                .singleElement()
                .satisfies(e -> assertThat(e.get("uid").asText()).isEqualTo(executions.get(0)));
        assertThat(second.get("next").isNull()).isTrue();
        assertThat(seen).hasSize(2);
    }

    @Test
    void theEventCatalog_shouldBeListed_andDecideWhatAgentsSubscribeToAndWhatTestCallsSend() {
        var api = newTenant();
        var catalog = ai.avala.agents.catalog.EventCatalog.bundled(java.util.Optional.empty());

        var listed = api.get("/event-types/?limit=100");
        var typo = api.post(
                "/agents/",
                "{\"name\": \"typo\", \"events\": [\"task.complete\"], \"callback_url\": \"" + receiver.url("/catalog")
                        + "\"}");
        var family = api.post("/agents/", "{\"name\": \"family\", \"events\": [\"tsk.*\"]}");
        var agent = created(
                api,
                "{\"name\": \"everything\", \"events\": [\"*\"], \"callback_url\": \"" + receiver.url("/catalog")
                        + "\"}");
        receiver.secret("/catalog", agent.get("secret").asText());
        String uid = agent.get("uid").asText();
        // Stored before the catalog knew it: written as an older version of the service left it.
        var env = FunctionEnvironment.of(stack.resources(), "UpdateAgentFunction", Map.of());
        try (var dynamo = AwsClients.dynamoDb(stack.resources().aws())) {
            var key = dynamo.scan(r -> r.tableName(env.get("AGENTS_TABLE"))).items().stream()
                    .filter(item -> uid.equals(item.get("uid").s()))
                    .findFirst()
                    .orElseThrow();
            dynamo.updateItem(r -> r.tableName(env.get("AGENTS_TABLE"))
                    .key(Map.of("tenant", key.get("tenant"), "uid", key.get("uid")))
                    .updateExpression("SET events = :events")
                    .expressionAttributeValues(Map.of(
                            ":events",
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromL(List.of(
                                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("*"),
                                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                            "labels.synced"))))));
        }
        var legacyKept = api.patch("/agents/" + uid + "/", "{\"events\": [\"*\", \"labels.synced\"]}");
        List<Integer> tested = new ArrayList<>();
        for (String type : catalog.names()) {
            tested.add(api.post("/agents/" + uid + "/test/", "{\"event_type\": \"" + type + "\"}")
                    .status());
        }

        assertThat(listed.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        listed.json().get("results").forEach(type -> names.add(type.get("name").asText()));
        assertThat(names).containsAll(catalog.names());
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.detail())
                .isEqualTo("\"task.complete\" is not a known event type; did you mean \"task.completed\"?");
        assertThat(family.status()).isEqualTo(400);
        assertThat(family.detail()).contains("names no family of known event types");
        assertThat(legacyKept.status()).as(legacyKept.text()).isEqualTo(200);
        assertThat(tested).containsOnly(200);
        var schemas = new ai.avala.agents.catalog.EventSchemas(catalog);
        var calls = receiver.calls("/catalog");
        assertThat(calls).hasSize(catalog.names().size());
        for (int i = 0; i < calls.size(); i++) {
            var body = Json.parse(calls.get(i).body());
            String type = catalog.names().get(i);
            assertThat(calls.get(i).signatureValid()).isTrue();
            assertThat(body.get("type").asText()).isEqualTo(type);
            assertThat(body.get("test").asBoolean()).isTrue();
            assertThat(schemas.problem(type, body.get("data")))
                    .as("the example sent for " + type + " validates against its schema")
                    .isEmpty();
        }
    }
}
