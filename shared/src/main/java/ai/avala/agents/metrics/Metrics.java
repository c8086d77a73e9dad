package ai.avala.agents.metrics;

import ai.avala.agents.log.Log;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics as CloudWatch Embedded Metric Format lines on standard output: CloudWatch Logs turns each line into
 * data points of namespace {@code METRICS_NAMESPACE} (template.yaml sets it), without an API call or a
 * client on the hot path. Every metric has the dimension {@code Service}; a line may add one more, of a few
 * values (a delivery's {@code Outcome}), and its metrics are then published both with and without it.
 * Never a dimension per agent or tenant. Written with the JSON writer the functions already load (a few
 * dozen bytes; Powertools' metrics module would add its dependencies to every cold start for the same line).
 */
public final class Metrics {

    public static final String DEFAULT_NAMESPACE = "AvalaAgents";
    public static final String SERVICE = "avala-agents";
    private static volatile String namespace = DEFAULT_NAMESPACE;

    private final Map<String, Number> values = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private String dimension;
    private String dimensionValue;

    private Metrics() {}

    /** The namespace of the metrics ({@code METRICS_NAMESPACE}), from the function's configuration. */
    public static void configure(String metricsNamespace) {
        namespace = metricsNamespace;
    }

    /** A line of metrics, written by {@link #emit()}. */
    public static Metrics line() {
        return new Metrics();
    }

    /** One count, in a line of its own. */
    public static void count(String name, long value) {
        line().add(name, value).emit();
    }

    /** Publishes this line's metrics also per {@code name}={@code value} (one of a few values). */
    public Metrics dimension(String name, String value) {
        this.dimension = name;
        this.dimensionValue = value;
        return this;
    }

    public Metrics add(String name, long count) {
        values.put(name, count);
        units.put(name, "Count");
        return this;
    }

    public Metrics milliseconds(String name, long millis) {
        values.put(name, millis);
        units.put(name, "Milliseconds");
        return this;
    }

    public void emit() {
        List<List<String>> dimensionSets = new ArrayList<>();
        dimensionSets.add(List.of("Service"));
        if (dimension != null) {
            dimensionSets.add(List.of("Service", dimension));
        }
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("Namespace", namespace);
        definition.put("Dimensions", dimensionSets);
        definition.put(
                "Metrics",
                units.entrySet().stream()
                        .map(unit -> Map.of("Name", unit.getKey(), "Unit", unit.getValue()))
                        .toList());
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", System.currentTimeMillis());
        aws.put("CloudWatchMetrics", List.of(definition));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", aws);
        line.put("Service", SERVICE);
        if (dimension != null) {
            line.put(dimension, dimensionValue);
        }
        if (Log.currentFunction() != null) {
            line.put("function", Log.currentFunction());
        }
        if (Log.currentRequestId() != null) {
            line.put("request_id", Log.currentRequestId());
        }
        line.putAll(values);
        Log.writeLine(line);
    }
}
