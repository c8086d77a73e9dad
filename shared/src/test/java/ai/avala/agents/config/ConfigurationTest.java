package ai.avala.agents.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.log.Log;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

    @Test
    void from_shouldGiveEveryDefault_whenNothingIsSet() {
        Configuration config = Configuration.from(Map.of());

        assertThat(config.aws().region()).isEqualTo("us-east-1");
        assertThat(config.aws().endpoint()).isEmpty();
        assertThat(config.aws().credentials()).isInstanceOf(Configuration.Credentials.DefaultChain.class);
        assertThat(config.logLevel()).isEqualTo(Log.Level.INFO);
        assertThat(config.metricsNamespace()).isEqualTo("AvalaAgents");
        assertThat(config.agentsTable()).isEmpty();
        assertThat(config.executionRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(config.maxAgentsPerTenant()).isEqualTo(1000);
        assertThat(config.callbackTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.allowLocalCallbacks()).isFalse();
        assertThat(config.callbackMaxAttempts()).isEqualTo(8);
        assertThat(config.callbackRetrySchedule()).hasSize(8).startsWith(Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertThat(config.tenantMaxInFlight()).isEqualTo(10);
        assertThat(config.autoDisableAfter()).isEqualTo(Duration.ofHours(120));
    }

    @Test
    void from_shouldReadEachVariable_asTemplateYamlSetsIt() {
        Configuration config = Configuration.from(Map.ofEntries(
                Map.entry("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
                Map.entry("AWS_REGION", "eu-west-1"),
                Map.entry("LOG_LEVEL", "warning"),
                Map.entry("AGENTS_TABLE", "Agents"),
                Map.entry("EXECUTION_RETENTION_DAYS", "7"),
                Map.entry("CURSOR_SECRET_ARN", "arn:secret"),
                Map.entry("CALLBACK_TIMEOUT_SECONDS", " 20 "),
                Map.entry("ALLOW_LOCAL_CALLBACKS", "true"),
                Map.entry("DELIVERIES_QUEUE_URL", "http://queue"),
                Map.entry("CALLBACK_RETRY_SCHEDULE_SECONDS", "1, 2"),
                Map.entry("AUTO_DISABLE_AFTER_HOURS", "1")));

        assertThat(config.aws().endpoint()).contains(URI.create("http://127.0.0.1:5000"));
        assertThat(config.aws().region()).isEqualTo("eu-west-1");
        assertThat(config.aws().credentials()).isEqualTo(new Configuration.Credentials.Keys("testing", "testing"));
        assertThat(config.logLevel()).isEqualTo(Log.Level.WARN);
        assertThat(config.agentsTable()).contains("Agents");
        assertThat(config.executionRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.cursorSecretArn()).contains("arn:secret");
        assertThat(config.callbackTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.allowLocalCallbacks()).isTrue();
        assertThat(config.deliveriesQueueUrl()).contains("http://queue");
        assertThat(config.callbackRetrySchedule()).isEqualTo(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertThat(config.autoDisableAfter()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void from_shouldTakeTheRolesCredentialsFromWhereLambdaPutsThem() {
        assertThat(Configuration.from(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.2/creds"))
                        .aws()
                        .credentials())
                .isInstanceOf(Configuration.Credentials.Container.class);
        assertThat(Configuration.from(Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s"))
                        .aws()
                        .credentials())
                .isInstanceOf(Configuration.Credentials.EnvironmentKeys.class);
    }

    @Test
    void from_shouldFailNamingTheVariable_whenAValueIsMalformed() {
        assertThatThrownBy(() -> Configuration.from(Map.of("MAX_AGENTS_PER_TENANT", "many")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MAX_AGENTS_PER_TENANT");
        assertThatThrownBy(() -> Configuration.from(Map.of("CALLBACK_MAX_ATTEMPTS", "0")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CALLBACK_MAX_ATTEMPTS");
        assertThatThrownBy(() -> Configuration.from(Map.of("CALLBACK_RETRY_SCHEDULE_SECONDS", "5,soon")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CALLBACK_RETRY_SCHEDULE_SECONDS");
    }

    @Test
    void required_shouldNameTheMissingVariable() {
        assertThat(Configuration.required(Optional.of("x"), "AGENTS_TABLE")).isEqualTo("x");
        assertThatThrownBy(() -> Configuration.required(Optional.empty(), "AGENTS_TABLE"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Missing required environment variable AGENTS_TABLE");
    }
}
