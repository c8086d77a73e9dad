package ai.avala.agents.functions.createagent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.callback.CallbackSigner;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.Agent;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class CreateAgentHandlerTest {

    private static final Wiring WIRING = LocalAws.wiringFor("CreateAgentFunction", Map.of());
    private final CreateAgentHandler handler = new CreateAgentHandler(WIRING);

    private static APIGatewayProxyRequestEvent sample(String tenant) {
        return LocalAws.apiEvent("create-agent.json", tenant, null);
    }

    @Test
    void handleRequest_shouldStoreTheAgentAndShowItsSecretOnce_whenTheSampleEventIsValid() {
        String tenant = "tenant_" + UUID.randomUUID();

        var response = LocalAws.invoke(handler, sample(tenant));

        assertThat(response.getStatusCode()).isEqualTo(201);
        var body = Json.parse(response.getBody());
        assertThat(body.get("uid").asText()).startsWith("agent_");
        assertThat(body.get("secret").asText()).startsWith("whsec_");
        assertThat(body.get("events").toString()).isEqualTo("[\"task.completed\",\"result.submitted\"]");
        assertThat(body.get("execution_stats").toString())
                .isEqualTo("{\"total\":0,\"success\":0,\"failed\":0,\"pending\":0}");
        var stored = WIRING.agentService().get(tenant, body.get("uid").asText());
        assertThat(stored.name()).isEqualTo("Quality reviewer");
        assertThat(stored.secret()).isEqualTo(body.get("secret").asText());
    }

    @Test
    void handleRequest_shouldAnswer400WithFieldErrors_whenTheBodyIsInvalid() {
        var event = sample("tenant_" + UUID.randomUUID()).withBody("{\"events\": \"task.completed\", \"extra\": 1}");

        var response = LocalAws.invoke(handler, event);

        assertThat(response.getStatusCode()).isEqualTo(400);
        var body = Json.parse(response.getBody());
        assertThat(body.get("detail").asText()).startsWith("Invalid agent:");
        assertThat(body.get("errors").has("name")).isTrue();
        assertThat(body.get("errors").has("events")).isTrue();
        assertThat(body.get("errors").has("extra")).isTrue();
    }

    @Test
    void handleRequest_shouldAnswer401_whenNoTenantCameFromTheAuthorizer() {
        var event = sample("ignored");
        event.getRequestContext().setAuthorizer(null);

        var response = LocalAws.invoke(handler, event);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(Json.parse(response.getBody()).get("detail").asText()).isNotBlank();
    }

    private ApiAnswer post(String tenant, String body) {
        var response = LocalAws.invoke(handler, sample(tenant).withBody(body));
        return new ApiAnswer(response.getStatusCode(), Json.parse(response.getBody()));
    }

    private record ApiAnswer(int status, JsonValue body) {}

    @Test
    void aPullModeAgentRegisteredAgainByName_shouldKeepItsUidAndTakeTheSubscriptionsSentWithoutItsSecret() {
        String tenant = "tenant_" + UUID.randomUUID();
        var first = post(
                tenant,
                "{\"name\": \"reviewer\", \"description\": \"kept\", \"events\": [\"task.completed\"],"
                        + " \"project\": \"proj_1\", \"task_types\": [\"bbox\"]}");
        String uid = first.body().get("uid").asText();
        WIRING.agentService().update(tenant, uid, AgentChanges.forUpdate("{\"is_active\": false}"));

        var again = post(tenant, "{\"name\": \" reviewer \", \"events\": [\"result.submitted\", \"task.*\"]}");

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).as(again.body().toString()).isEqualTo(200);
        assertThat(again.body().get("uid").asText()).isEqualTo(uid);
        assertThat(again.body().has("secret")).isFalse();
        assertThat(again.body().get("events").toString()).isEqualTo("[\"result.submitted\",\"task.*\"]");
        assertThat(again.body().get("project").isNull()).isTrue();
        assertThat(again.body().get("task_types").toString()).isEqualTo("[]");
        assertThat(again.body().get("description").asText()).isEqualTo("kept");
        assertThat(again.body().get("is_active").asBoolean())
                .as("a worker's restart does not switch on an agent an operator switched off")
                .isFalse();
        assertThat(WIRING.agentService().get(tenant, uid).secret())
                .isEqualTo(first.body().get("secret").asText());
    }

    @Test
    void agentsWithACallbackUrl_shouldBeCreatedEachTime_whateverTheirName() {
        String tenant = "tenant_" + UUID.randomUUID();
        String body = "{\"name\": \"hook\", \"callback_url\": \"https://hooks.example.com/a\"}";

        var first = post(tenant, body);
        var second = post(tenant, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.body().get("uid").asText())
                .isNotEqualTo(first.body().get("uid").asText());
    }

    @Test
    void tenConcurrentRegistrationsOfANewName_shouldMakeOneAgentAndAllAnswer2xx() throws Exception {
        String tenant = "tenant_" + UUID.randomUUID();
        List<Future<ApiAnswer>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                answers.add(threads.submit(
                        () -> post(tenant, "{\"name\": \"replica\", \"events\": [\"task.completed\"]}")));
            }
        }
        List<ApiAnswer> done = new ArrayList<>();
        for (Future<ApiAnswer> answer : answers) {
            done.add(answer.get());
        }

        assertThat(done).extracting(ApiAnswer::status).containsOnly(200, 201).containsOnlyOnce(201);
        assertThat(done)
                .extracting(answer -> answer.body().get("uid").asText())
                .containsOnly(done.get(0).body().get("uid").asText());
        assertThat(WIRING.agents().list(tenant, 100, null).items()).hasSize(1);
        assertThat(agentCount(tenant)).as("counted once in the tenant's quota").isEqualTo(1);
    }

    @Test
    void theFirstRegistrationOfATenantsStoredAgents_shouldAdoptTheNewestOfThatName() {
        String tenant = "tenant_" + UUID.randomUUID();
        String older = storedWithoutNameKey(tenant, "legacy");
        String newer = storedWithoutNameKey(tenant, "legacy");

        var registered = post(tenant, "{\"name\": \"legacy\", \"events\": [\"task.completed\"]}");

        assertThat(newer).isNotEqualTo(older);
        assertThat(registered.status()).isEqualTo(200);
        assertThat(registered.body().get("uid").asText()).isEqualTo(newer);
        assertThat(post(tenant, "{\"name\": \"legacy\"}").body().get("uid").asText())
                .isEqualTo(newer);
        WIRING.agentService().delete(tenant, older);
        assertThat(post(tenant, "{\"name\": \"legacy\"}").body().get("uid").asText())
                .as("deleting the older duplicate leaves the name to the newest")
                .isEqualTo(newer);
    }

    @Test
    void aNameKeyNamingAnAgentThatIsGone_shouldFreeTheName() {
        String tenant = "tenant_" + UUID.randomUUID();
        String gone = post(tenant, "{\"name\": \"stale\"}").body().get("uid").asText();
        WIRING.dynamo()
                .deleteItem(r -> r.tableName(WIRING.config().agentsTable().orElseThrow())
                        .key(Map.of("tenant", AttributeValue.fromS(tenant), "uid", AttributeValue.fromS(gone))));

        var registered = post(tenant, "{\"name\": \"stale\"}");

        assertThat(registered.status()).isEqualTo(201);
        assertThat(registered.body().get("uid").asText()).isNotEqualTo(gone);
    }

    /** A pull-mode agent as stored before the name keys existed. */
    private static String storedWithoutNameKey(String tenant, String name) {
        Agent agent = Agent.created(
                tenant,
                Ids.agentUid(),
                name,
                null,
                List.of(),
                null,
                true,
                null,
                List.of(),
                CallbackSigner.newSecret(),
                Instant.now());
        WIRING.agents().create(agent, 1000);
        forgetPullNames(tenant);
        return agent.uid();
    }

    /** The tenant as stored before the name keys: its agents, without their name keys or the indexed mark. */
    private static void forgetPullNames(String tenant) {
        var dynamo = WIRING.dynamo();
        String table = WIRING.config().agentsTable().orElseThrow();
        dynamo
                .query(r -> r.tableName(table)
                        .keyConditionExpression("tenant = :t")
                        .expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenant))))
                .items()
                .stream()
                .map(item -> item.get("uid").s())
                .filter(uid -> uid.startsWith("pull-name"))
                .forEach(uid -> dynamo.deleteItem(r -> r.tableName(table)
                        .key(Map.of("tenant", AttributeValue.fromS(tenant), "uid", AttributeValue.fromS(uid)))));
    }

    private static long agentCount(String tenant) {
        var item = WIRING.dynamo()
                .getItem(r -> r.tableName(WIRING.config().agentsTable().orElseThrow())
                        .key(Map.of(
                                "tenant",
                                AttributeValue.fromS(tenant),
                                "uid",
                                AttributeValue.fromS("tenant#agent-count"))))
                .item();
        return Long.parseLong(item.get("agent_count").n());
    }

    @Test
    void anUnknownEventTypeOrFamily_shouldAnswer400NamingEachWithTheClosestKnownName() {
        var event = sample("tenant_" + UUID.randomUUID())
                .withBody("{\"name\": \"Typo\", \"events\": [\"task.complete\", \"tsk.*\", \"result.*\"],"
                        + " \"callback_url\": \"https://hooks.example.com/typo\"}");

        var response = LocalAws.invoke(handler, event);

        assertThat(response.getStatusCode()).isEqualTo(400);
        var body = Json.parse(response.getBody());
        assertThat(body.get("detail").asText())
                .isEqualTo("\"task.complete\" is not a known event type; did you mean \"task.completed\"?"
                        + " \"tsk.*\" names no family of known event types; did you mean \"task.*\"?");
        assertThat(body.get("errors").get("events")).hasSize(2);
    }
}
