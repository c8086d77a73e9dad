package ai.avala.agents.local.stack;

import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.LocalResources;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A local stack whose callbacks fail fast and retry fast (a 2 s deadline, 1 s between attempts, at most
 * {@code maxAttempts}), its tenants, an SQS client on its emulator and one callback receiver: what the tests
 * that drive deliveries through the stack share. Closed receiver first, stack last.
 */
record CallbackStack(DevStack stack, StackTenants tenants, SqsClient sqs, CallbackReceiver receiver)
        implements AutoCloseable {

    static CallbackStack start(int maxAttempts) throws Exception {
        return start(Options.of(0, null, Map.of(), true), maxAttempts);
    }

    /** {@link #start(int)}, with the template's schedules (the sweep) run every {@code scheduleEvery}. */
    static CallbackStack start(int maxAttempts, java.time.Duration scheduleEvery) throws Exception {
        return start(Options.of(0, null, Map.of(), true).withScheduleEvery(scheduleEvery), maxAttempts);
    }

    private static CallbackStack start(Options options, int maxAttempts) throws Exception {
        DevStack stack = DevStack.start(options.withEnvironment(Map.of(
                "CALLBACK_RETRY_SCHEDULE_SECONDS", "1",
                "CALLBACK_MAX_ATTEMPTS", Integer.toString(maxAttempts),
                "CALLBACK_TIMEOUT_SECONDS", "2")));
        return new CallbackStack(
                stack,
                new StackTenants(stack),
                LocalResources.sqs(stack.resources().aws()),
                new CallbackReceiver());
    }

    /** An agent of {@code api}'s tenant subscribed to task.completed, calling back to the receiver's {@code path}. */
    String agent(ApiClient api, String path) {
        var response = api.post(
                "/agents/",
                "{\"name\": \"" + path + "\", \"callback_url\": \"" + receiver.url(path)
                        + "\", \"events\": [\"task.completed\"]}");
        org.assertj.core.api.Assertions.assertThat(response.status())
                .as(response.text())
                .isEqualTo(201);
        receiver.secret(path, response.json().get("secret").asText());
        return response.json().get("uid").asText();
    }

    /** Sends one task.completed event of {@code tenant} to the events queue, as a producer would. */
    void sendTaskCompleted(String tenant) {
        Map<String, Object> event = new java.util.LinkedHashMap<>();
        event.put("id", "evt_" + java.util.UUID.randomUUID());
        event.put("type", "task.completed");
        event.put("task", "task_1");
        event.put("tenant", tenant);
        event.put("data", Map.of("task_name", "Image 1"));
        sqs.sendMessage(r -> r.queueUrl(stack.queueUrl()).messageBody(ai.avala.agents.json.Json.write(event)));
    }

    /** The agent's executions, newest first (a page of 100). */
    static java.util.List<ai.avala.agents.json.JsonValue> executions(ApiClient api, String agent) {
        java.util.List<ai.avala.agents.json.JsonValue> all = new java.util.ArrayList<>();
        api.get("/agents/" + agent + "/executions/?limit=100")
                .json()
                .get("results")
                .forEach(all::add);
        return all;
    }

    @Override
    public void close() {
        receiver.close();
        sqs.close();
        stack.close();
    }
}
