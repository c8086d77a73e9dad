package ai.avala.agents.config;

import ai.avala.agents.log.Log;
import ai.avala.agents.metrics.Metrics;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every environment variable a function reads, with its default and its validation, read once per function
 * instance (a handler's no-argument constructor reads the process environment; the local stack and the tests
 * pass each function the variables template.yaml gives it, as every function runs in their one JVM). Nothing
 * else reads the environment: {@code ArchitectureTest} holds the code to that. A malformed value fails the
 * function's start, naming the variable; a variable a function's template entry does not set is absent
 * ({@link Optional}), and the one place that builds what needs it ({@code Wiring}) names it when it is missing.
 */
public record Configuration(
        Aws aws,
        Optional<String> functionName,
        Log.Level logLevel,
        String metricsNamespace,
        Optional<String> agentsTable,
        Optional<String> subscriptionsTable,
        Optional<String> executionsTable,
        Optional<String> apiKeysTable,
        Duration executionRetention,
        Optional<String> cursorSecretArn,
        int maxAgentsPerTenant,
        Duration callbackTimeout,
        boolean allowLocalCallbacks,
        Optional<String> eventsQueueUrl,
        Optional<String> eventsDeadLetterQueueUrl,
        Optional<String> deliveriesQueueUrl,
        Optional<String> deliveriesDeadLetterQueueUrl,
        int callbackMaxAttempts,
        List<Duration> callbackRetrySchedule,
        int tenantMaxInFlight,
        Duration autoDisableAfter,
        Duration pullClaim,
        int pullMaxClaims,
        int deliveriesMaxReceives,
        int eventsMaxReceives,
        Optional<String> eventTypesDir) {

    public static final int DEFAULT_RETENTION_DAYS = 30;
    public static final int DEFAULT_MAX_AGENTS_PER_TENANT = 1000;
    public static final int DEFAULT_CALLBACK_TIMEOUT_SECONDS = 10;
    public static final int DEFAULT_CALLBACK_MAX_ATTEMPTS = 8;
    public static final String DEFAULT_RETRY_SCHEDULE_SECONDS = "5,30,120,600,1800,3600,7200,14400";
    public static final int DEFAULT_TENANT_MAX_IN_FLIGHT = 10;
    public static final int DEFAULT_AUTO_DISABLE_AFTER_HOURS = 120;
    public static final int DEFAULT_PULL_CLAIM_SECONDS = 600;
    public static final int DEFAULT_PULL_MAX_CLAIMS = 5;
    /** The deliveries queue's {@code maxReceiveCount} (its redrive policy in template.yaml). */
    public static final int DEFAULT_DELIVERIES_MAX_RECEIVES = 5;
    /** The events queue's {@code maxReceiveCount} (its redrive policy in template.yaml). */
    public static final int DEFAULT_EVENTS_MAX_RECEIVES = 5;

    /** How a function reaches AWS (or an emulator): region, endpoint override, where its credentials come from. */
    public record Aws(String region, Optional<URI> endpoint, Credentials credentials) {

        /** An emulator's endpoint with its (any) credentials, as the local tooling and the tests reach moto. */
        public static Aws emulator(String endpoint, String region) {
            return new Aws(region, Optional.of(URI.create(endpoint)), new Credentials.Keys("testing", "testing"));
        }
    }

    /** Where the function's role credentials are: the SDK reads the container endpoint and the key variables itself. */
    public sealed interface Credentials {
        /** Fixed keys (an emulator's, which accepts any). */
        record Keys(String accessKeyId, String secretAccessKey) implements Credentials {}

        /** The container credentials endpoint (SnapStart restores carry no key variables). */
        record Container() implements Credentials {}

        /** {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (and the session token). */
        record EnvironmentKeys() implements Credentials {}

        /** Anything else: the SDK's whole default chain. */
        record DefaultChain() implements Credentials {}
    }

    public Configuration {
        callbackRetrySchedule = List.copyOf(callbackRetrySchedule);
    }

    /** The configuration of the function whose process environment this is (Lambda's). */
    public static Configuration fromProcessEnvironment() {
        return from(System.getenv());
    }

    /** The configuration given by {@code env} (a function's variables, as template.yaml sets them). */
    public static Configuration from(Map<String, String> env) {
        Variables vars = new Variables(env);
        Optional<URI> endpoint =
                vars.optional("AWS_ENDPOINT_URL").map(url -> vars.parse("AWS_ENDPOINT_URL", URI::create));
        return new Configuration(
                new Aws(
                        vars.optional("AWS_REGION")
                                .or(() -> vars.optional("AWS_DEFAULT_REGION"))
                                .orElse("us-east-1"),
                        endpoint,
                        credentials(vars, endpoint.isPresent())),
                vars.optional("AWS_LAMBDA_FUNCTION_NAME"),
                logLevel(vars.optional("LOG_LEVEL").orElse("INFO")),
                vars.optional("METRICS_NAMESPACE").orElse(Metrics.DEFAULT_NAMESPACE),
                vars.optional("AGENTS_TABLE"),
                vars.optional("SUBSCRIPTIONS_TABLE"),
                vars.optional("EXECUTIONS_TABLE"),
                vars.optional("API_KEYS_TABLE"),
                Duration.ofDays(vars.positive("EXECUTION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)),
                vars.optional("CURSOR_SECRET_ARN"),
                vars.positive("MAX_AGENTS_PER_TENANT", DEFAULT_MAX_AGENTS_PER_TENANT),
                Duration.ofSeconds(vars.positive("CALLBACK_TIMEOUT_SECONDS", DEFAULT_CALLBACK_TIMEOUT_SECONDS)),
                Boolean.parseBoolean(vars.optional("ALLOW_LOCAL_CALLBACKS").orElse("false")),
                vars.optional("EVENTS_QUEUE_URL"),
                vars.optional("DEAD_LETTER_QUEUE_URL"),
                vars.optional("DELIVERIES_QUEUE_URL"),
                vars.optional("DELIVERIES_DEAD_LETTER_QUEUE_URL"),
                vars.positive("CALLBACK_MAX_ATTEMPTS", DEFAULT_CALLBACK_MAX_ATTEMPTS),
                vars.parse(
                        "CALLBACK_RETRY_SCHEDULE_SECONDS",
                        vars.optional("CALLBACK_RETRY_SCHEDULE_SECONDS").orElse(DEFAULT_RETRY_SCHEDULE_SECONDS),
                        Configuration::seconds),
                vars.positive("TENANT_MAX_IN_FLIGHT", DEFAULT_TENANT_MAX_IN_FLIGHT),
                Duration.ofHours(vars.positive("AUTO_DISABLE_AFTER_HOURS", DEFAULT_AUTO_DISABLE_AFTER_HOURS)),
                Duration.ofSeconds(vars.positive("PULL_CLAIM_SECONDS", DEFAULT_PULL_CLAIM_SECONDS)),
                vars.positive("PULL_MAX_CLAIMS", DEFAULT_PULL_MAX_CLAIMS),
                vars.positive("DELIVERIES_MAX_RECEIVES", DEFAULT_DELIVERIES_MAX_RECEIVES),
                vars.positive("EVENTS_MAX_RECEIVES", DEFAULT_EVENTS_MAX_RECEIVES),
                vars.optional("EVENT_TYPES_DIR"));
    }

    /** {@code value}, or a start-up failure naming {@code variable} when the function was not given it. */
    public static <T> T required(Optional<T> value, String variable) {
        return value.orElseThrow(() -> new IllegalStateException("Missing required environment variable " + variable));
    }

    private static Credentials credentials(Variables vars, boolean emulator) {
        if (emulator) {
            return new Credentials.Keys(
                    vars.optional("AWS_ACCESS_KEY_ID").orElse("testing"),
                    vars.optional("AWS_SECRET_ACCESS_KEY").orElse("testing"));
        }
        if (vars.optional("AWS_CONTAINER_CREDENTIALS_FULL_URI").isPresent()) {
            return new Credentials.Container();
        }
        if (vars.optional("AWS_ACCESS_KEY_ID").isPresent()
                && vars.optional("AWS_SECRET_ACCESS_KEY").isPresent()) {
            return new Credentials.EnvironmentKeys();
        }
        return new Credentials.DefaultChain();
    }

    private static Log.Level logLevel(String value) {
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "DEBUG", "TRACE" -> Log.Level.DEBUG;
            case "WARN", "WARNING" -> Log.Level.WARN;
            case "ERROR" -> Log.Level.ERROR;
            default -> Log.Level.INFO;
        };
    }

    /** {@code "5,30,120"}: seconds before the second, third, fourth... attempt. */
    private static List<Duration> seconds(String commaSeparated) {
        List<Duration> schedule = Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .map(Long::parseLong)
                .map(Duration::ofSeconds)
                .toList();
        if (schedule.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("negative delay");
        }
        return schedule;
    }

    /** The raw variables, read only while the record is built. */
    private record Variables(Map<String, String> values) {

        Optional<String> optional(String name) {
            String value = values.get(name);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
        }

        int positive(String name, int fallback) {
            int value = optional(name)
                    .map(text -> parse(name, text, Integer::parseInt))
                    .orElse(fallback);
            if (value < 1) {
                throw new IllegalStateException("Environment variable " + name + " must be a positive integer");
            }
            return value;
        }

        <T> T parse(String name, Function<String, T> parser) {
            return parse(name, optional(name).orElseThrow(), parser);
        }

        <T> T parse(String name, String text, Function<String, T> parser) {
            try {
                return parser.apply(text);
            } catch (RuntimeException e) {
                throw new IllegalStateException("Environment variable " + name + " is malformed: " + text);
            }
        }
    }
}
