package ai.avala.agents.local.stack;

import java.util.Map;

/** The API contract on the default emulator: a moto server the stack starts for this class. */
class AgentsApiOnMotoTest extends AgentsApiContract {

    @Override
    protected DevStack startStack() throws Exception {
        return DevStack.start(Options.of(0, null, Map.of(), true)
                .withEnvironment(Map.of("EVENT_TYPES_DIR", LongEventTypes.folder())));
    }
}
