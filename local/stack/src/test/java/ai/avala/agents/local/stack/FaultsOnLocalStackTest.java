package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.FaultProxy.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code local/run --faults RATE[,SEED]}: the functions reach AWS through the fault proxy, the stack does not. */
class FaultsOnLocalStackTest {

    @Test
    void theFaultsOption_shouldTakeARateAndASeed() {
        var options = Options.parse(new String[] {"--port", "0", "--faults", "0.15,42"});

        assertThat(options.faults()).hasValueSatisfying(settings -> {
            assertThat(settings.rate()).isEqualTo(0.15);
            assertThat(settings.seed()).isEqualTo(42);
            assertThat(settings.kinds()).containsExactlyInAnyOrder(Kind.values());
        });
    }

    @Test
    void aStackWithFaults_shouldSendTheFunctionsRequestsThroughTheProxy_andItsOwnDirect() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of("acme", "avk_faults_acme_0000000000"), false)
                .withFaults(FaultProxy.Settings.only(Kind.THROTTLE, 1)))) {
            // The stack provisioned its tables and queues and registered the key directly: it started.
            var api = new ApiClient(stack.apiUrl(), "avk_faults_acme_0000000000");

            var answer = api.get("/agents/");

            assertThat(answer.status()).as(answer.text()).isGreaterThanOrEqualTo(500);
            assertThat(stack.faults().orElseThrow().injected().get(Kind.THROTTLE))
                    .isPositive();
        }
    }
}
