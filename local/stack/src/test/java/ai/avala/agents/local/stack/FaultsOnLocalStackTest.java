package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.FaultProxy.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@code local/run --faults RATE[,SEED]}: the functions reach AWS through the fault proxy, the stack does not. */
class FaultsOnLocalStackTest {

    @Test
    void theFaultsOption_shouldTakeARateAndASeed() {
        var options = Options.parse(new String[] {"--port", "0", "--faults", "0.15,42"});

        assertThat(options.faults()).hasValueSatisfying(settings -> {
            assertThat(settings.rate()).isEqualTo(0.15);
            assertThat(settings.seed()).isEqualTo(42);
            assertThat(settings.kinds()).containsExactlyInAnyOrder(Kind.values());
        });
    }

    @Test
    void aStackWithFaults_shouldSendTheFunctionsRequestsThroughTheProxy_andAThrottledAuthorizerAnswer503()
            throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of("acme", "avk_faults_acme_0000000000"), false)
                .withFaults(FaultProxy.Settings.only(Kind.THROTTLE, 1)))) {
            // The stack provisioned its tables and queues and registered the key directly: it started.
            var api = new ApiClient(stack.apiUrl(), "avk_faults_acme_0000000000");

            var answer = api.get("/agents/");

            assertThat(stack.faults().orElseThrow().injected().get(Kind.THROTTLE))
                    .isPositive();
            assertThat(answer.status())
                    .as("the authorizer failed (its key store throttled): a 503, as the template sets it")
                    .isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).contains("1");
            assertThat(answer.json().get("detail").asText()).isNotBlank();
        }
    }

    @Test
    void concurrentCreatesAndDeletesInOneTenant_shouldAllSucceed_whenHalfTheTransactionsConflictAtFirst()
            throws Exception {
        String key = "avk_faults_conflicts_000000000";
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of("busy", key), false)
                        .withFaults(FaultProxy.Settings.onFirstSending(Kind.TRANSACTION_CONFLICT, 0.5)));
                var dynamo = AwsClients.dynamoDb(stack.resources().aws())) {
            var api = new ApiClient(stack.apiUrl(), key);

            List<ApiClient.Response> created = concurrently(
                    20,
                    i -> api.post(
                            "/agents/",
                            "{\"name\": \"busy " + i + "\", \"events\": [\"task.completed\"], "
                                    + "\"callback_url\": \"https://hooks.example.com/" + i + "\"}"));
            List<ApiClient.Response> deleted = concurrently(
                    20,
                    i -> api.delete(
                            "/agents/" + created.get(i).json().get("uid").asText() + "/"));

            assertThat(stack.faults().orElseThrow().injected().get(Kind.TRANSACTION_CONFLICT))
                    .isPositive();
            assertThat(created).extracting(ApiClient.Response::status).containsOnly(201);
            assertThat(deleted).extracting(ApiClient.Response::status).containsOnly(204);
            var count = dynamo.getItem(r -> r.tableName("AgentsTable")
                            .key(Map.of(
                                    "tenant", AttributeValue.fromS("busy"),
                                    "uid", AttributeValue.fromS("tenant#agent-count"))))
                    .item();
            assertThat(count.get("agent_count").n())
                    .as("the tenant's count equals its agents")
                    .isEqualTo("0");
        }
    }

    private static List<ApiClient.Response> concurrently(int count, IntFunction<ApiClient.Response> request)
            throws Exception {
        List<Future<ApiClient.Response>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(count)) {
            for (int i = 0; i < count; i++) {
                int index = i;
                answers.add(threads.submit(() -> request.apply(index)));
            }
        }
        List<ApiClient.Response> done = new ArrayList<>();
        for (Future<ApiClient.Response> answer : answers) {
            done.add(answer.get());
        }
        return done;
    }
}
