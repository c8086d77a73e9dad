package ai.avala.agents.local.stack;

import java.util.Map;

/** The API contract on the default emulator: a moto server the stack starts for this class. */
class AgentsApiOnMotoTest extends AgentsApiContract {

    @Override
    protected LocalStack startStack() throws Exception {
        return LocalStack.start(Options.of(0, null, Map.of(), true));
    }
}
