package ai.avala.agents.local.stack;

import static ai.avala.agents.local.stack.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.CallbackReceiver.Answer;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.ExecutionLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The sweep as the stack runs it, on its schedule (every second here, every five minutes on AWS): executions whose
 * task was lost reach their receivers, without an operator.
 */
class SweepOnTheStackTest {

    private static final Duration WAIT = Duration.ofSeconds(45);

    @Test
    void aReplayStoppedBeforeQueueing_andALeaseHolderThatDiedOnTheLastReceive_shouldBothBeDeliveredByTheSchedule()
            throws Exception {
        try (CallbackStack fixture = CallbackStack.start(1, Duration.ofSeconds(1));
                DynamoDbClient dynamo =
                        AwsClients.dynamoDb(fixture.stack().resources().aws())) {
            DevStack stack = fixture.stack();
            ExecutionLog executions = new ExecutionLog(
                    dynamo,
                    FunctionEnvironment.of(stack.resources(), "SweepFunction", Map.of())
                            .get("EXECUTIONS_TABLE"),
                    Duration.ofDays(30));
            String tenant = "tenant_" + UUID.randomUUID();
            ApiClient api = fixture.tenants().apiOf(tenant);
            assertThat(stack.scheduledFunctions()).containsExactly("SweepFunction");

            // 1. A failed execution that a replay claimed, and then stopped (timed out) before queueing its task.
            String replayed = agent(fixture, api, "/replayed");
            fixture.receiver().answer("/replayed", Answer.json(503, "{}"), Answer.json(200, "{}"));
            send(fixture, tenant);
            eventually(
                    WAIT,
                    () -> assertThat(executions(api, replayed))
                            .singleElement()
                            .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("failed")));
            String failedUid = executions(api, replayed).get(0).get("uid").asText();
            Execution failed = executions.find(replayed, failedUid).orElseThrow();
            assertThat(executions.redeliver(failed, failed.redelivered(Instant.now()), "a-replay-that-stopped"))
                    .isTrue();

            // 2. A running execution whose delivery leased it on its task's last receive and died there.
            String orphaned = agent(fixture, api, "/orphaned");
            Instant now = stack.clock().instant();
            Execution running = running(tenant, orphaned, now);
            executions.create(running);
            executions
                    .lease(orphaned, running.uid(), 0, now.plusSeconds(60), now, true)
                    .orElseThrow();

            Thread.sleep(3000);
            assertThat(fixture.receiver().calls("/replayed"))
                    .as("the replay's claim still holds its execution")
                    .hasSize(1);
            assertThat(fixture.receiver().calls("/orphaned"))
                    .as("the lease still holds its execution")
                    .isEmpty();
            stack.clock().advance(ExecutionLog.REPLAY_CLAIM.plusSeconds(1));

            eventually(WAIT, () -> {
                assertThat(executions(api, replayed)).singleElement().satisfies(e -> {
                    assertThat(e.get("status").asText()).isEqualTo("success");
                    assertThat(e.get("attempts").asInt()).isEqualTo(2);
                });
                assertThat(executions(api, orphaned))
                        .singleElement()
                        .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("success"));
            });
            assertThat(fixture.receiver().calls("/replayed"))
                    .extracting(call -> call.header("webhook-id"))
                    .containsExactly(failedUid, failedUid);
            assertThat(fixture.receiver().calls("/orphaned"))
                    .extracting(call -> call.header("webhook-id"))
                    .containsExactly(running.uid());
        }
    }

    private static String agent(CallbackStack fixture, ApiClient api, String path) {
        var response = api.post(
                "/agents/",
                "{\"name\": \"" + path + "\", \"callback_url\": \""
                        + fixture.receiver().url(path) + "\", \"events\": [\"task.completed\"]}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        fixture.receiver().secret(path, response.json().get("secret").asText());
        return response.json().get("uid").asText();
    }

    private static void send(CallbackStack fixture, String tenant) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "evt_" + UUID.randomUUID());
        event.put("type", "task.completed");
        event.put("task", "task_1");
        event.put("tenant", tenant);
        event.put("data", Map.of("task_name", "Image 1"));
        fixture.sqs().sendMessage(r -> r.queueUrl(fixture.stack().queueUrl()).messageBody(Json.write(event)));
    }

    private static List<JsonValue> executions(ApiClient api, String agent) {
        List<JsonValue> all = new ArrayList<>();
        api.get("/agents/" + agent + "/executions/?limit=100")
                .json()
                .get("results")
                .forEach(all::add);
        return all;
    }

    /** A running execution of {@code agent}, as the matching stage records it. */
    private static Execution running(String tenant, String agent, Instant now) {
        return new Execution(
                "exec_" + Ids.ulid(now.toEpochMilli()),
                agent,
                tenant,
                "evt_" + UUID.randomUUID(),
                "task.completed",
                "task_1",
                null,
                ExecutionStatus.RUNNING,
                null,
                Map.of("task_name", "Image 1"),
                null,
                null,
                0,
                null,
                null,
                now,
                now,
                List.of(),
                null);
    }
}
