package ai.avala.agents.functions.dispatcher;

import ai.avala.agents.dispatch.EventDispatcher;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.lambda.QueueFunction;
import ai.avala.agents.lambda.SnapStartPriming;
import ai.avala.agents.wiring.Wiring;

/**
 * The events queue's consumer, the matching stage: each labeling event becomes executions and delivery
 * tasks (see {@link EventDispatcher}); callbacks are the delivery function's.
 */
public final class DispatcherHandler extends QueueFunction {

    private final EventDispatcher dispatcher;

    public DispatcherHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public DispatcherHandler(Wiring wiring) {
        this.dispatcher = wiring.eventDispatcher();
        // Compiles the catalog's schemas and checks each type's example (Jackson 3 and the validator loaded and
        // warm): nothing is read or written, so it is safe before a snapshot.
        SnapStartPriming.register("DispatcherHandler", dispatcher::warmUpIntake);
    }

    @Override
    protected Invocation newInvocation(Deadline deadline) {
        return message -> dispatcher.process(message, deadline);
    }
}
