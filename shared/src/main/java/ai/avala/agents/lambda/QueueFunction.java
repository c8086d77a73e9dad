package ai.avala.agents.lambda;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.log.Log;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The base of the SQS-triggered functions: reads Lambda's SQS event as a stream (no event classes, no
 * reflection), processes the batch's messages concurrently, and answers with only the messages that must
 * be received again ({@code ReportBatchItemFailures}).
 */
public abstract class QueueFunction implements RequestStreamHandler {

    private static final Log LOG = Log.of(QueueFunction.class);

    /** Processes the messages of one invocation; each call may throw to have its message received again. */
    @FunctionalInterface
    public interface Invocation {
        void process(QueueMessage message) throws Exception;
    }

    /** The processing of one invocation's batch (per-invocation state lives in it), ending by {@code deadline}. */
    protected abstract Invocation newInvocation(Deadline deadline);

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Log.startInvocation(context);
        List<String> failed = process(Json.parse(input), Deadline.of(context));
        Json.write(
                output,
                Map.of(
                        "batchItemFailures",
                        failed.stream().map(id -> Map.of("itemIdentifier", id)).toList()));
    }

    /** Processes an SQS event; the ids of the messages that failed. */
    public final List<String> process(JsonValue event, Deadline deadline) {
        Invocation invocation = newInvocation(deadline);
        Map<String, Future<?>> work = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (JsonValue record : event.path("Records")) {
                QueueMessage message = QueueMessage.fromRecord(record);
                work.put(message.messageId(), threads.submit(() -> {
                    invocation.process(message);
                    return null;
                }));
            }
            work.forEach((messageId, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    LOG.warn("Message failed and will be received again", e.getCause(), "message_id", messageId);
                    failures.add(messageId);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add(messageId);
                }
            });
        }
        return failures;
    }
}
