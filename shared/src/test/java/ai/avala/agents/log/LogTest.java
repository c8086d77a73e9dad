package ai.avala.agents.log;

import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Log.configure(Configuration.from(Map.of()).logLevel(), null);
        Log.writeTo(System.out);
    }

    private List<JsonValue> lines() {
        return written.toString(StandardCharsets.UTF_8).lines().map(Json::parse).toList();
    }

    @Test
    void logLevel_shouldDropLinesBelowIt_butNeverAMetricLine() {
        Log.writeTo(new PrintStream(written, true, StandardCharsets.UTF_8));
        Log.configure(Configuration.from(Map.of("LOG_LEVEL", "WARN")).logLevel(), null);
        Log log = Log.of(LogTest.class);

        log.info("Event matched");
        log.warn("Callback failed", new IllegalStateException("reset"), "agent", "agent_1");
        Metrics.count("Deliveries", 1);

        // Lambda's own level filter is TRACE (template.yaml): this threshold is the only one, and it spares metrics.
        assertThat(lines()).hasSize(2);
        assertThat(lines().get(0).get("level").asText()).isEqualTo("WARN");
        assertThat(lines().get(0).get("agent").asText()).isEqualTo("agent_1");
        assertThat(lines().get(0).get("exception").get("message").asText()).isEqualTo("reset");
        assertThat(lines().get(1).get("Deliveries").asInt()).isEqualTo(1);
        assertThat(lines().get(1).has("_aws")).isTrue();
    }

    @Test
    void debug_shouldBeWrittenOnlyWhenLogLevelIsDebug() {
        Log.writeTo(new PrintStream(written, true, StandardCharsets.UTF_8));
        Log log = Log.of(LogTest.class);

        log.debug("hidden at INFO");
        Log.configure(Configuration.from(Map.of("LOG_LEVEL", "debug")).logLevel(), null);
        log.debug("shown at DEBUG");

        assertThat(lines()).extracting(line -> line.get("message").asText()).containsExactly("shown at DEBUG");
    }
}
