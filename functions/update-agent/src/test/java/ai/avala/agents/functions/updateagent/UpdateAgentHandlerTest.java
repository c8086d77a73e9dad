package ai.avala.agents.functions.updateagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.errors.ConflictException;
import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.Agent;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.service.SecretRotation;
import ai.avala.agents.store.AgentStore;
import ai.avala.agents.store.SubscriptionIndex;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class UpdateAgentHandlerTest {

    private static final Map<String, String> ENV = LocalAws.environmentFor("UpdateAgentFunction", Map.of());
    private static final Wiring WIRING = LocalAws.wiringFor("UpdateAgentFunction", Map.of());
    private final UpdateAgentHandler handler = new UpdateAgentHandler(WIRING);
    private final AgentService agents = WIRING.agentService();
    private final SubscriptionIndex subscriptions = WIRING.subscriptions();

    private static APIGatewayProxyRequestEvent sample(String tenant, String uid) {
        return LocalAws.apiEvent("update-agent.json", tenant, uid);
    }

    @Test
    void handleRequest_shouldChangeOnlyTheFieldsSentAndMoveTheSubscriptions() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Keeper\", \"description\": \"stays\", \"events\": [\"task.completed\"]}"))
                .agent();

        var response = LocalAws.invoke(handler, sample(tenant, agent.uid()));

        assertThat(response.getStatusCode()).isEqualTo(200);
        var body = Json.parse(response.getBody());
        assertThat(body.get("is_active").asBoolean()).isFalse();
        assertThat(body.get("events").toString()).isEqualTo("[\"task.*\"]");
        assertThat(body.get("name").asText()).isEqualTo("Keeper");
        assertThat(body.get("description").asText()).isEqualTo("stays");
        assertThat(Instant.parse(body.get("updated_at").asText())).isAfter(agent.updatedAt());
        assertThat(body.get("created_at").asText())
                .isEqualTo(
                        Json.parse(Json.write(agent.toJson())).get("created_at").asText());
        assertThat(subscriptions.agentsFor(tenant, "task.*")).containsExactly(agent.uid());
        assertThat(subscriptions.agentsFor(tenant, "task.completed")).isEmpty();
        assertThat(agents.get(tenant, agent.uid()).active()).isFalse();
    }

    @Test
    void anEditThatKeepsTheEventsAndTheName_shouldBeOneConditionalUpdateItem_andAStaleOneAConflict() {
        // A callback agent: renaming a pull-mode agent also moves its name key, in a transaction.
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate("{\"name\": \"Keeper\", \"events\": [\"task.completed\"],"
                                + " \"callback_url\": \"https://hooks.example.com/keeper\"}"))
                .agent();
        List<String> operations = new CopyOnWriteArrayList<>();
        try (DynamoDbClient recorded = DynamoDbClient.builder()
                .endpointOverride(WIRING.config().aws().endpoint().orElseThrow())
                .region(software.amazon.awssdk.regions.Region.of(
                        WIRING.config().aws().region()))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testing", "testing")))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        operations.add(context.request().getClass().getSimpleName());
                    }
                }))
                .build()) {
            AgentStore store = new AgentStore(
                    recorded, ENV.get("AGENTS_TABLE"), new SubscriptionIndex(recorded, ENV.get("SUBSCRIPTIONS_TABLE")));
            Agent current = store.find(tenant, agent.uid()).orElseThrow();
            Agent renamed = current.edited(
                    "Renamed",
                    current.description(),
                    current.events(),
                    current.callbackUrl(),
                    current.active(),
                    current.project(),
                    current.taskTypes(),
                    Instant.now());
            operations.clear();

            store.update(current, renamed);

            assertThat(operations).as("1 write unit, not a transaction's 2").containsExactly("UpdateItemRequest");
            assertThat(agents.get(tenant, agent.uid()).name()).isEqualTo("Renamed");
            assertThat(subscriptions.agentsFor(tenant, "task.completed")).containsExactly(agent.uid());
            Agent stale = current.edited(
                    "Stale",
                    current.description(),
                    current.events(),
                    current.callbackUrl(),
                    current.active(),
                    current.project(),
                    current.taskTypes(),
                    Instant.now());
            assertThatThrownBy(() -> store.update(current, stale)).isInstanceOf(ConflictException.class);
            assertThat(agents.get(tenant, agent.uid()).name()).isEqualTo("Renamed");
        }
    }

    @Test
    void handleRequest_shouldAnswer400And404_forInvalidFieldsAndForeignAgents() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Keeper\"}"))
                .agent();

        var invalid = LocalAws.invoke(handler, sample(tenant, agent.uid()).withBody("{\"name\": null}"));
        var foreign = LocalAws.invoke(handler, sample("tenant_" + UUID.randomUUID(), agent.uid()));

        assertThat(invalid.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(invalid.getBody()).get("errors").has("name")).isTrue();
        assertThat(foreign.getStatusCode()).isEqualTo(404);
        assertThat(agents.get(tenant, agent.uid()).active()).isTrue();
    }

    private int patch(String tenant, String uid, String body) {
        return LocalAws.invoke(handler, sample(tenant, uid).withBody(body)).getStatusCode();
    }

    private String registeredUid(String tenant, String name) {
        return agents.register(tenant, AgentChanges.forCreate("{\"name\": \"" + name + "\"}"))
                .agent()
                .uid();
    }

    @Test
    void thePullModeNameKey_shouldFollowARenameACallbackUrlSetAndCleared_andRefuseATakenName() {
        String tenant = "tenant_" + UUID.randomUUID();
        String worker = registeredUid(tenant, "worker");
        String other = registeredUid(tenant, "other");

        assertThat(patch(tenant, worker, "{\"name\": \"renamed\"}")).isEqualTo(200);
        assertThat(registeredUid(tenant, "renamed")).as("found by its new name").isEqualTo(worker);
        String newWorker = registeredUid(tenant, "worker");
        assertThat(newWorker).as("its old name is free").isNotEqualTo(worker);

        assertThat(patch(tenant, worker, "{\"callback_url\": \"https://hooks.example.com/a\"}"))
                .isEqualTo(200);
        assertThat(registeredUid(tenant, "renamed"))
                .as("a callback agent is not a pull agent's name")
                .isNotEqualTo(worker);

        assertThat(patch(tenant, other, "{\"callback_url\": \"https://hooks.example.com/b\"}"))
                .isEqualTo(200);
        assertThat(patch(tenant, other, "{\"callback_url\": null}")).isEqualTo(200);
        assertThat(registeredUid(tenant, "other"))
                .as("back in pull mode, found by name")
                .isEqualTo(other);

        assertThat(patch(tenant, other, "{\"name\": \"worker\"}"))
                .as("another pull-mode agent is named so")
                .isEqualTo(409);
        assertThat(registeredUid(tenant, "other")).isEqualTo(other);
    }

    @Test
    void anUpdateAndARotationWhoseAnswersAreLost_shouldSucceed_notAnswerAConflictWithThemselves() {
        String tenant = "tenant_" + UUID.randomUUID();
        String uid = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Lossy\", \"callback_url\": \"https://hooks.example.com/l\"}"))
                .agent()
                .uid();
        String emulator = LocalAws.shared().aws().endpoint().orElseThrow().toString();
        try (FaultProxy proxy = FaultProxy.start(
                emulator,
                FaultProxy.Settings.onFirstSending(FaultProxy.Kind.LOST_ANSWER, 1)
                        .forOperations("UpdateItem"))) {
            var lossy = new Wiring(
                    Configuration.from(LocalAws.environmentFor(
                            "UpdateAgentFunction", Map.of("AWS_ENDPOINT_URL", proxy.endpoint()))),
                    java.time.Clock.systemUTC());

            int patched = LocalAws.invoke(
                            new UpdateAgentHandler(lossy), sample(tenant, uid).withBody("{\"name\": \"Renamed\"}"))
                    .getStatusCode();
            var rotated = lossy.agentService().rotateSecret(tenant, uid, SecretRotation.parse("{}"));

            assertThat(proxy.injected().get(FaultProxy.Kind.LOST_ANSWER)).isEqualTo(2);
            assertThat(patched).isEqualTo(200);
            assertThat(agents.get(tenant, uid).name()).isEqualTo("Renamed");
            assertThat(agents.get(tenant, uid).secret()).isEqualTo(rotated.secret());
        }
    }

    @Test
    void aTypeTheAgentStoredBeforeTheCatalog_shouldBeAcceptedAgain_butANewUnknownOneRefused() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate("{\"name\": \"Legacy\", \"events\": [\"task.completed\"],"
                                + " \"callback_url\": \"https://hooks.example.com/legacy\"}"))
                .agent();
        // Stored before the catalog existed: a type it does not know.
        WIRING.agents()
                .update(
                        agent,
                        agent.edited(
                                agent.name(),
                                agent.description(),
                                List.of("task.completed", "labels.synced"),
                                agent.callbackUrl(),
                                agent.active(),
                                agent.project(),
                                agent.taskTypes(),
                                Instant.now()));

        var kept = LocalAws.invoke(
                handler,
                sample(tenant, agent.uid())
                        .withBody("{\"events\": [\"labels.synced\", \"task.completed\", \"result.submitted\"]}"));
        var added = LocalAws.invoke(
                handler, sample(tenant, agent.uid()).withBody("{\"events\": [\"labels.synced\", \"labels.pushed\"]}"));

        assertThat(kept.getStatusCode()).as(kept.getBody()).isEqualTo(200);
        assertThat(Json.parse(kept.getBody()).get("events").toString())
                .isEqualTo("[\"labels.synced\",\"task.completed\",\"result.submitted\"]");
        assertThat(added.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(added.getBody()).get("detail").asText())
                .startsWith("\"labels.pushed\" is not a known event type");
    }
}
