package ai.avala.agents.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.avala.agents.errors.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretRotationTest {

    @Test
    void parse_shouldDefaultToADayWhenTheBodyOrTheFieldIsAbsent() {
        assertThat(SecretRotation.parse("").overlap()).isEqualTo(Duration.ofDays(1));
        assertThat(SecretRotation.parse("{}").overlap()).isEqualTo(Duration.ofDays(1));
        assertThat(SecretRotation.parse("{\"overlap_seconds\": 0}").overlap()).isZero();
        assertThat(SecretRotation.parse("{\"overlap_seconds\": 604800}").overlap())
                .isEqualTo(Duration.ofDays(7));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "1.5", "\"60\"", "-1", "604801", "true"})
    void parse_shouldRefuseWhatIsNotAnIntegerInRange_nullIncluded(String value) {
        InvalidInputException error = catchThrowableOfType(
                InvalidInputException.class, () -> SecretRotation.parse("{\"overlap_seconds\": " + value + "}"));

        assertThat(error.fieldErrors()).containsOnlyKeys("overlap_seconds");
    }
}
