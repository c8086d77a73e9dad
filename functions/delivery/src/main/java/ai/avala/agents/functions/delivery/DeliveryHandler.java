package ai.avala.agents.functions.delivery;

import ai.avala.agents.delivery.DeliveryStage;
import ai.avala.agents.lambda.Deadline;
import ai.avala.agents.lambda.QueueFunction;
import ai.avala.agents.wiring.Wiring;

/** The deliveries queue's consumer, the delivery stage (see {@link DeliveryStage}). */
public final class DeliveryHandler extends QueueFunction {

    private final DeliveryStage stage;

    public DeliveryHandler() {
        this(Wiring.fromProcessEnvironment());
    }

    public DeliveryHandler(Wiring wiring) {
        this.stage = wiring.deliveryStage();
    }

    @Override
    protected Invocation newInvocation(Deadline deadline) {
        return stage.newInvocation(deadline);
    }
}
