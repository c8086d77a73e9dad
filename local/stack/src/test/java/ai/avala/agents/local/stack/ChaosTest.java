package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.local.emulator.FaultProxy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * AWS's everyday faults on every call the functions make (15%: throttles, 500s, resets, answers lost after the
 * write took effect, transaction conflicts, partial batches; seeded), while 40 events reach 8 agents through the
 * local stack and a dashboard reads the API: nothing lost, nothing sent twice, nothing left unfinished, no 500.
 */
class ChaosTest {

    private static final DeliveryRun.Plan PLAN = new DeliveryRun.Plan(40, 8, 0, 4, 2, 40, Duration.ofSeconds(150));

    @Test
    void deliveriesUnderFifteenPercentFaults_shouldAllArriveOnce_andLeaveNothingUnfinished() throws Exception {
        DeliveryRun.Figures figures;
        try (DevStack stack = DevStack.start(DeliveryRun.options(Optional.of(FaultProxy.Settings.parse("0.15,42"))))) {
            figures = DeliveryRun.run(stack, PLAN);
            System.out.println(figures.summary());
            assertThat(stack.faults().orElseThrow().injected().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .as(figures.summary() + ": faults were injected")
                    .isGreaterThan(100);
        }

        assertThat(figures.delivered())
                .as(figures.summary() + ": callbacks accepted")
                .isEqualTo(320);
        assertThat(figures.duplicateCallbacks())
                .as(figures.summary() + ": callbacks sent twice")
                .isZero();
        assertThat(figures.executions())
                .as(figures.summary() + ": one execution per event and agent")
                .isEqualTo(320);
        assertThat(figures.unfinishedExecutions())
                .as(figures.summary() + ": executions left pending or running")
                .isZero();
        assertThat(figures.poisonDeadLetteredWithReason()).as(figures.summary()).isEqualTo(PLAN.poison());
        assertThat(figures.statisticsAddUp())
                .as(figures.summary() + ": execution_stats match the executions")
                .isTrue();
        assertThat(figures.api500()).as(figures.summary() + ": API answers 500").isZero();
        assertThat(figures.reads5xx())
                .as(figures.summary() + ": reads during the faults answered 503")
                .isLessThanOrEqualTo(1);
    }
}
