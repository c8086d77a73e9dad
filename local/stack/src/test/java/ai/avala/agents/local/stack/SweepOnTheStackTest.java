package ai.avala.agents.local.stack;

import static ai.avala.agents.local.stack.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.aws.AwsClients;
import ai.avala.agents.local.emulator.CallbackReceiver.Answer;
import ai.avala.agents.local.emulator.ExecutionSeeds;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.store.ExecutionLog;
import java.time.Duration;
import java.time.Instant;
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
            String replayed = fixture.agent(api, "/replayed");
            fixture.receiver().answer("/replayed", Answer.json(503, "{}"), Answer.json(200, "{}"));
            fixture.sendTaskCompleted(tenant);
            eventually(
                    WAIT,
                    () -> assertThat(CallbackStack.executions(api, replayed))
                            .singleElement()
                            .satisfies(e -> assertThat(e.get("status").asText()).isEqualTo("failed")));
            String failedUid =
                    CallbackStack.executions(api, replayed).get(0).get("uid").asText();
            Execution failed = executions.find(replayed, failedUid).orElseThrow();
            assertThat(executions.redeliver(failed, failed.redelivered(Instant.now()), "a-replay-that-stopped"))
                    .isTrue();

            // 2. A running execution whose delivery leased it on its task's last receive and died there.
            String orphaned = fixture.agent(api, "/orphaned");
            Instant now = stack.clock().instant();
            Execution running = ExecutionSeeds.of(tenant, orphaned, ExecutionStatus.RUNNING, now);
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
                assertThat(CallbackStack.executions(api, replayed))
                        .singleElement()
                        .satisfies(e -> {
                            assertThat(e.get("status").asText()).isEqualTo("success");
                            assertThat(e.get("attempts").asInt()).isEqualTo(2);
                        });
                assertThat(CallbackStack.executions(api, orphaned))
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
}
