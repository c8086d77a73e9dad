package ai.avala.agents.functions.sweep;

import ai.avala.agents.delivery.ExecutionSweep;
import ai.avala.agents.json.Json;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.log.Log;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The scheduled sweep (see {@link ExecutionSweep}): the schedule's event carries nothing it needs; it answers what the
 * run did.
 */
public final class SweepHandler implements RequestStreamHandler {

    private final ExecutionSweep sweep;

    public SweepHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public SweepHandler(Wiring wiring) {
        this.sweep = wiring.executionSweep();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Log.startInvocation(context);
        input.readAllBytes();
        ExecutionSweep.Outcome outcome = sweep.run(Deadline.of(context));
        Json.write(
                output,
                java.util.Map.of(
                        "queued", outcome.queued(),
                        "ended", outcome.ended(),
                        "cleared", outcome.cleared(),
                        "deferred", outcome.deferred(),
                        "failed", outcome.failed()));
    }
}
