package ai.avala.agents.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private static Agent agent() {
        return Agent.created(
                "acme",
                "agent_1",
                "a",
                null,
                List.of("task.completed"),
                "https://hooks.example/x",
                true,
                null,
                List.of(),
                "whsec_old",
                T0);
    }

    @Test
    void rotated_shouldSignWithBothSecretsUntilTheOverlapEndsThenWithTheNewOneOnly() {
        Agent rotated = agent().rotated("whsec_new", T0.plus(Duration.ofHours(1)), T0);

        assertThat(rotated.secret()).isEqualTo("whsec_new");
        assertThat(rotated.signingSecrets(T0.plusSeconds(3599))).containsExactly("whsec_new", "whsec_old");
        assertThat(rotated.signingSecrets(T0.plusSeconds(3600))).containsExactly("whsec_new");
        assertThat(rotated.version()).isEqualTo(2);
    }

    @Test
    void rotated_withoutOverlap_shouldKeepNoPreviousSecret() {
        Agent rotated = agent().rotated("whsec_new", T0, T0);

        assertThat(rotated.previousSecret()).isNull();
        assertThat(rotated.signingSecrets(T0)).containsExactly("whsec_new");
    }

    @Test
    void edited_shouldClearTheDisabledReasonAndFailureStreakOnlyWhenSwitchedOnAgain() {
        Agent disabled = new Agent(
                "acme",
                "agent_1",
                "a",
                null,
                List.of(),
                "https://hooks.example/x",
                false,
                null,
                List.of(),
                "whsec_x",
                null,
                "Its callback answered 410 Gone.",
                T0,
                ExecutionStats.ZERO,
                T0,
                T0,
                3);

        Agent renamed = disabled.edited(
                "b", null, List.of(), disabled.callbackUrl(), false, null, List.of(), T0.plusSeconds(1));
        Agent reactivated =
                disabled.edited("a", null, List.of(), disabled.callbackUrl(), true, null, List.of(), T0.plusSeconds(1));

        assertThat(renamed.disabledReason()).isEqualTo("Its callback answered 410 Gone.");
        assertThat(reactivated.disabledReason()).isNull();
        assertThat(reactivated.failingSince()).isNull();
        assertThat(reactivated.toJson()).containsEntry("disabled_reason", null).containsEntry("is_active", true);
    }
}
