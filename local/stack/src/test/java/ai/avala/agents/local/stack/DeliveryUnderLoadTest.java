package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The no-loss load run, at a size CI affords ({@code local/bench} runs it with 200 events): events of which a
 * tenth are sent twice, poison among them, receivers that fail each message's first call.
 */
class DeliveryUnderLoadTest {

    private static final DeliveryRun.Plan PLAN = new DeliveryRun.Plan(60, 4, 2, 6, 4, 0, Duration.ofSeconds(150));

    @Test
    void aLoadOfEvents_shouldReachHealthyReceiversOnce_andFlakyOnesExactlyTwice_withPoisonDeadLettered()
            throws Exception {
        DeliveryRun.Figures figures;
        try (DevStack stack = DevStack.start(DeliveryRun.options(Optional.empty()))) {
            figures = DeliveryRun.run(stack, PLAN);
            System.out.println(figures.summary());
        }

        assertThat(figures.delivered())
                .as(figures.summary() + ": callbacks accepted")
                .isEqualTo(240);
        assertThat(figures.calls())
                .as(figures.summary() + ": each healthy receiver called once per execution, each flaky one twice")
                .isEqualTo(60 * 2 + 60 * 2 * 2);
        assertThat(figures.duplicateCallbacks()).as(figures.summary()).isZero();
        assertThat(figures.executions())
                .as(figures.summary() + ": events sent twice make no second execution")
                .isEqualTo(240);
        assertThat(figures.unfinishedExecutions()).as(figures.summary()).isZero();
        assertThat(figures.poisonDeadLetteredWithReason()).as(figures.summary()).isEqualTo(PLAN.poison());
        assertThat(figures.statisticsAddUp()).as(figures.summary()).isTrue();
        assertThat(figures.api5xx()).as(figures.summary()).isZero();
    }
}
