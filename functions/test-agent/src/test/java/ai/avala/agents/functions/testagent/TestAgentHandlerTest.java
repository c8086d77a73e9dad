package ai.avala.agents.functions.testagent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.LocalAws;
import ai.avala.agents.model.AgentDecision;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentListings;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestAgentHandlerTest {

    private static final AgentListings LISTINGS =
            LocalAws.wiringFor("ListExecutionsFunction", Map.of()).listings();
    private static final Wiring WIRING =
            LocalAws.wiringFor("TestAgentFunction", Map.of("ALLOW_LOCAL_CALLBACKS", "true"));
    private final TestAgentHandler handler = new TestAgentHandler(WIRING);
    private final AgentService agents = WIRING.agentService();
    private CallbackReceiver receiver;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = new CallbackReceiver();
        receiver.answer("/hook", CallbackReceiver.Answer.json(200, "{\"action\": \"flag\", \"reason\": \"checked\"}"));
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private static APIGatewayProxyRequestEvent sample(String tenant, String uid) {
        return LocalAws.apiEvent("test-agent.json", tenant, uid);
    }

    @Test
    void handleRequest_shouldSendASignedCallbackAndRecordItAsAnExecution() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Tested\", \"callback_url\": \"" + receiver.url("/hook") + "\"}"))
                .agent();
        receiver.secret("/hook", agent.secret());

        var response = LocalAws.invoke(handler, sample(tenant, agent.uid()));

        assertThat(response.getStatusCode()).isEqualTo(200);
        var body = Json.parse(response.getBody());
        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(body.get("delivered").asBoolean()).isTrue();
        assertThat(body.get("status").asText()).isEqualTo("success");
        assertThat(body.get("status_code").asInt()).isEqualTo(200);
        assertThat(body.get("response").get("action").asText()).isEqualTo("flag");
        assertThat(receiver.calls("/hook"))
                .singleElement()
                .satisfies(call -> assertThat(call.signatureValid()).isTrue());
        var delivered = Json.parse(receiver.calls("/hook").get(0).body());
        assertThat(delivered.get("type").asText()).isEqualTo("agent.test");
        assertThat(delivered.get("id").asText()).isEqualTo(body.get("execution").asText());
        assertThat(delivered.get("agent").asText()).isEqualTo(agent.uid());
        var executions =
                LISTINGS.executions(tenant, agent.uid(), null, ai.avala.agents.paging.PageRequest.of(10, null));
        assertThat(executions.items()).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCESS);
            assertThat(e.action()).isEqualTo(AgentDecision.FLAG);
            assertThat(e.eventType()).isEqualTo("agent.test");
        });
    }

    @Test
    void handleRequest_shouldAnswer409_whenTheAgentHasNoCallbackUrl() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(tenant, AgentChanges.forCreate("{\"name\": \"Puller\"}"))
                .agent();

        var response = LocalAws.invoke(handler, sample(tenant, agent.uid()));

        assertThat(response.getStatusCode()).isEqualTo(409);
        assertThat(Json.parse(response.getBody()).get("detail").asText()).contains("no callback_url");
    }

    @Test
    void aTestCallPerEventType_shouldSendTheCatalogsExample_whichValidatesAgainstTheTypesSchema() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate("{\"name\": \"Everything\", \"events\": [\"*\"], \"callback_url\": \""
                                + receiver.url("/hook") + "\"}"))
                .agent();
        var catalog = WIRING.eventCatalog();
        var schemas = new ai.avala.agents.catalog.EventSchemas(catalog);

        for (String type : catalog.names()) {
            var response = LocalAws.invoke(
                    handler, sample(tenant, agent.uid()).withBody("{\"event_type\": \"" + type + "\"}"));
            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        }

        var calls = receiver.calls("/hook");
        assertThat(calls).hasSize(catalog.names().size());
        for (int i = 0; i < calls.size(); i++) {
            var body = Json.parse(calls.get(i).body());
            String type = catalog.names().get(i);
            assertThat(body.get("type").asText()).isEqualTo(type);
            assertThat(body.get("test").asBoolean()).isTrue();
            assertThat(schemas.problem(type, body.get("data"))).as(type).isEmpty();
        }
    }

    @Test
    void aTestCallWithoutABody_shouldSendTheFirstCatalogTypeTheAgentMatches_andAnUnmatchedTypeAnswer400() {
        String tenant = "tenant_" + UUID.randomUUID();
        var agent = agents.register(
                        tenant,
                        AgentChanges.forCreate(
                                "{\"name\": \"Results\", \"events\": [\"result.*\"], \"callback_url\": \""
                                        + receiver.url("/hook") + "\"}"))
                .agent();

        var plain = LocalAws.invoke(handler, sample(tenant, agent.uid()));
        var unmatched =
                LocalAws.invoke(handler, sample(tenant, agent.uid()).withBody("{\"event_type\": \"task.completed\"}"));
        var unknown =
                LocalAws.invoke(handler, sample(tenant, agent.uid()).withBody("{\"event_type\": \"result.submited\"}"));

        assertThat(plain.getStatusCode()).isEqualTo(200);
        assertThat(Json.parse(receiver.calls("/hook").get(0).body()).get("type").asText())
                .as("the first of result.* in catalog order")
                .isEqualTo("result.accepted");
        assertThat(unmatched.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(unmatched.getBody()).get("detail").asText()).contains("does not subscribe");
        assertThat(unknown.getStatusCode()).isEqualTo(400);
        assertThat(Json.parse(unknown.getBody()).get("detail").asText()).contains("did you mean \"result.submitted\"?");
        assertThat(receiver.calls("/hook")).hasSize(1);
    }
}
