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

    @Override
    public void close() {
        receiver.close();
        sqs.close();
        stack.close();
    }
}
