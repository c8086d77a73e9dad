package ai.avala.agents.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics as CloudWatch Embedded Metric Format lines on standard output: CloudWatch Logs turns each into a
 * data point of namespace {@code METRICS_NAMESPACE} (template.yaml sets it), dimension {@code Service},
 * without an API call or a client (a few dozen bytes of JSON; Powertools' metrics module would add its
 * dependencies to every cold start for the same line).
 */
public final class Metrics {

    public static final String DEFAULT_NAMESPACE = "AvalaAgents";
    public static final String SERVICE = "avala-agents";
    private static volatile String namespace = DEFAULT_NAMESPACE;

    private Metrics() {
    }

    static void configure(Environment env) {
        namespace = env.optional("METRICS_NAMESPACE", DEFAULT_NAMESPACE);
    }

    /** Adds {@code value} to the count {@code name}. */
    public static void count(String name, long value) {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("Namespace", namespace);
        metric.put("Dimensions", List.of(List.of("Service")));
        metric.put("Metrics", List.of(Map.of("Name", name, "Unit", "Count")));
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", System.currentTimeMillis());
        aws.put("CloudWatchMetrics", List.of(metric));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", aws);
        line.put("Service", SERVICE);
        if (Log.functionName() != null) {
            line.put("function", Log.functionName());
        }
        line.put(name, value);
        Log.writeLine(line);
    }
}
