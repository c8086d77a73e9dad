package ai.avala.agents.functions.stats;

import ai.avala.agents.json.Json;
import ai.avala.agents.log.Log;
import ai.avala.agents.stats.StatsStage;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The executions table's stream consumer (see {@link StatsStage}). A write that fails names its first record in
 * {@code batchItemFailures}, so Lambda retries from there.
 */
public final class StatsHandler implements RequestStreamHandler {

    private final StatsStage stage;

    public StatsHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public StatsHandler(Wiring wiring) {
        this.stage = new StatsStage(wiring.stats());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Log.startInvocation(context);
        var retryFrom = stage.count(Json.parse(input).path("Records"));
        Json.write(
                output,
                Map.of(
                        "batchItemFailures",
                        retryFrom.stream()
                                .map(sequence -> Map.of("itemIdentifier", sequence.toString()))
                                .toList()));
    }
}
