package ai.avala.agents.local.stack;

import ai.avala.agents.local.emulator.FaultProxy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The command line of {@code local/run}. */
public record Options(
        int port,
        String awsEndpoint,
        Map<String, String> apiKeys,
        Path readyFile,
        boolean allowLocalCallbacks,
        Path template,
        Map<String, String> functionEnvironment,
        int queueConcurrency,
        boolean triggers,
        Optional<FaultProxy.Settings> faults,
        java.time.Duration scheduleEvery) {

    public Options {
        apiKeys = Map.copyOf(apiKeys);
        functionEnvironment = Map.copyOf(functionEnvironment);
    }

    /** The usual options: no ready file, the default template, no extra function variables. */
    public static Options of(int port, String awsEndpoint, Map<String, String> apiKeys, boolean allowLocalCallbacks) {
        return new Options(
                port, awsEndpoint, apiKeys, null, allowLocalCallbacks, null, Map.of(), 0, true, Optional.empty(), null);
    }

    /** These options with the given function environment variables over the template's. */
    public Options withEnvironment(Map<String, String> variables) {
        return new Options(
                port,
                awsEndpoint,
                apiKeys,
                readyFile,
                allowLocalCallbacks,
                template,
                variables,
                queueConcurrency,
                triggers,
                faults,
                scheduleEvery);
    }

    /**
     * These options with no queue or stream triggers: nothing reads the queues or the table's stream, so that
     * nothing runs beside what is measured (the cold-start bench).
     */
    public Options withoutTriggers() {
        return new Options(
                port,
                awsEndpoint,
                apiKeys,
                readyFile,
                allowLocalCallbacks,
                template,
                functionEnvironment,
                queueConcurrency,
                false,
                faults,
                scheduleEvery);
    }

    /** These options with {@code invocations} concurrent invocations per queue trigger, whatever the template says. */
    public Options withQueueConcurrency(int invocations) {
        return new Options(
                port,
                awsEndpoint,
                apiKeys,
                readyFile,
                allowLocalCallbacks,
                template,
                functionEnvironment,
                invocations,
                triggers,
                faults,
                scheduleEvery);
    }

    /**
     * These options with every schedule of the template ({@code Type: Schedule}) run every {@code period} instead of
     * its own rate: tests do not wait five minutes for the sweep.
     */
    public Options withScheduleEvery(java.time.Duration period) {
        return new Options(
                port,
                awsEndpoint,
                apiKeys,
                readyFile,
                allowLocalCallbacks,
                template,
                functionEnvironment,
                queueConcurrency,
                triggers,
                faults,
                period);
    }

    /** These options with AWS's everyday faults injected between the functions and the emulator. */
    public Options withFaults(FaultProxy.Settings settings) {
        return new Options(
                port,
                awsEndpoint,
                apiKeys,
                readyFile,
                allowLocalCallbacks,
                template,
                functionEnvironment,
                queueConcurrency,
                triggers,
                Optional.of(settings),
                scheduleEvery);
    }

    public static final String USAGE = """
            usage: local/run [--port N] [--aws-endpoint URL] [--api-key TENANT=KEY]... [--ready-file PATH]
                             [--allow-local-callbacks] [--template PATH] [--env NAME=VALUE]... [--queue-concurrency N]
                             [--faults RATE[,SEED]] [--schedule-every SECONDS] [--event-types DIR]
              --port N                 API port on 127.0.0.1 (default 3000; 0 picks a free one)
              --aws-endpoint URL       use this running AWS emulator instead of starting moto
              --api-key TENANT=KEY     accept KEY for TENANT (repeatable; default: one generated key)
              --ready-file PATH        when ready, write {api_url, aws_endpoint, region, queue_url, dlq_url, api_keys}
              --allow-local-callbacks  let callbacks reach http:// and loopback receivers
              --template PATH          the SAM template to serve (default: ./template.yaml or above)
              --env NAME=VALUE         set a function environment variable over the template's (repeatable),
                                       e.g. --env CALLBACK_MAX_ATTEMPTS=3 --env CALLBACK_TIMEOUT_SECONDS=2
              --queue-concurrency N    concurrent invocations per queue trigger (default: the template's
                                       ScalingConfig.MaximumConcurrency, else 50)
              --faults RATE[,SEED]     fail that share of the functions' DynamoDB and SQS requests as AWS does
                                       (throttles, 500s, resets, answers lost after the write, transaction
                                       conflicts, partial batches), seeded; e.g. --faults 0.15,42
              --schedule-every SECONDS run the template's schedules (the sweep) this often instead of their rate
              --event-types DIR        event type files (as in event-types/) to know beside the bundled catalog
            """;

    public static Options parse(String[] args) {
        int port = 3000;
        String endpoint = null;
        Map<String, String> keys = new LinkedHashMap<>();
        Path ready = null;
        boolean allowLocal = false;
        Path template = null;
        Map<String, String> env = new LinkedHashMap<>();
        int concurrency = 0;
        Optional<FaultProxy.Settings> faults = Optional.empty();
        java.time.Duration scheduleEvery = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--aws-endpoint" -> endpoint = value(args, ++i, arg);
                case "--api-key" -> pair(value(args, ++i, arg), arg, "TENANT=KEY", keys);
                case "--env" -> pair(value(args, ++i, arg), arg, "NAME=VALUE", env);
                case "--ready-file" -> ready = Path.of(value(args, ++i, arg));
                case "--allow-local-callbacks" -> allowLocal = true;
                case "--template" -> template = Path.of(value(args, ++i, arg));
                case "--queue-concurrency" -> concurrency = parsePositive(value(args, ++i, arg), arg);
                case "--event-types" ->
                    env.put(
                            "EVENT_TYPES_DIR",
                            Path.of(value(args, ++i, arg)).toAbsolutePath().toString());
                case "--schedule-every" ->
                    scheduleEvery = java.time.Duration.ofSeconds(parsePositive(value(args, ++i, arg), arg));
                case "--faults" -> faults = Optional.of(FaultProxy.Settings.parse(value(args, ++i, arg)));
                default -> throw new IllegalArgumentException("Unknown option " + arg);
            }
        }
        return new Options(
                port, endpoint, keys, ready, allowLocal, template, env, concurrency, true, faults, scheduleEvery);
    }

    private static void pair(String text, String flag, String form, Map<String, String> into) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException(flag + " takes " + form);
        }
        into.put(text.substring(0, eq), text.substring(eq + 1));
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }

    private static int parsePositive(String text, String flag) {
        try {
            int value = Integer.parseInt(text);
            if (value < 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a positive number");
        }
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port takes a number from 0 to 65535");
        }
    }
}
