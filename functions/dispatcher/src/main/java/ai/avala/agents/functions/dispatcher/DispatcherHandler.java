package ai.avala.agents.functions.dispatcher;

import ai.avala.agents.config.Environment;
import ai.avala.agents.config.Wiring;
import ai.avala.agents.dispatch.AgentMatcher;
import ai.avala.agents.dispatch.DeadLetterQueue;
import ai.avala.agents.lambda.QueueFunction;

/**
 * The events queue's consumer, the matching stage: each labeling event becomes executions and delivery
 * tasks (see {@link EventDispatcher}); callbacks are the delivery function's.
 */
public final class DispatcherHandler extends QueueFunction {

    static final int WRITES_PER_EVENT = 16;
    private final EventDispatcher dispatcher;

    public DispatcherHandler() {
        this(Environment.system());
    }

    public DispatcherHandler(Environment env) {
        this(new Wiring(env));
    }

    private DispatcherHandler(Wiring wiring) {
        this.dispatcher = new EventDispatcher(
                new AgentMatcher(wiring.subscriptions(), wiring.agents()),
                wiring.executions(),
                wiring.deliveries(),
                new DeadLetterQueue(wiring.sqs(), wiring.env().require("DEAD_LETTER_QUEUE_URL"), "events"),
                wiring.clock(),
                WRITES_PER_EVENT);
    }

    @Override
    protected Invocation newInvocation() {
        return dispatcher::process;
    }
}
