package ai.avala.agents.local.stack;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.dispatch.DeliveryTask;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.model.Execution;
import ai.avala.agents.model.ExecutionStatus;
import ai.avala.agents.service.AgentChanges;
import ai.avala.agents.service.AgentService;
import ai.avala.agents.store.ApiKeyStore;
import ai.avala.agents.wiring.Wiring;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Cold starts of every function as Lambda makes them: each function's {@code sam build} artifact (its
 * directory: classes and lib/), in a fresh JVM per run (local/coldstart's harness: the handler built with
 * its no-argument constructor from the process environment, then one real request), against a naive
 * handler (the SDK's {@code DynamoDbClient.create()} and one GetItem, with a POJO event) measured in the
 * same rounds, interleaved, with the same JVM flags. Reports each function's time to its first answer as a
 * ratio of the naive one's (medians), classes loaded, heap and artifact size.
 */
final class ColdStarts {

    private static final Path BUILD = Path.of(".aws-sam", "build");
    private static final Path HARNESS = Path.of("local", "coldstart", "target");
    private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private static final String TENANT = "bench_cold";

    /** One fresh JVM's run; {@code output} is all it printed (standard output and error). */
    private record Run(
            long firstMs, long initMs, long classes, long heapMb, String status, String answer, String output) {}

    private final DevStack stack;
    private final AgentService agents;
    private final Wiring wiring;
    private final String key = ApiKeyStore.newKey();
    private final String agentUid;
    private final String pullAgentUid;

    ColdStarts(DevStack stack, String receiverUrl) {
        this.stack = stack;
        var env =
                FunctionEnvironment.of(stack.resources(), "TestAgentFunction", Map.of("ALLOW_LOCAL_CALLBACKS", "true"));
        this.wiring = new Wiring(Configuration.from(env), Clock.systemUTC());
        this.agents = wiring.agentService();
        wiring.apiKeys().register(key, TENANT);
        this.agentUid = agents.register(
                        TENANT,
                        AgentChanges.forCreate("{\"name\": \"cold\", \"events\": [\"task.completed\"], "
                                + "\"callback_url\": \"" + receiverUrl + "\"}"))
                .agent()
                .uid();
        this.pullAgentUid = agents.register(TENANT, AgentChanges.forCreate("{\"name\": \"pull\"}"))
                .agent()
                .uid();
    }

    static void measure(DevStack stack, int rounds, Map<String, Object> results) throws Exception {
        if (!Files.isDirectory(BUILD)) {
            System.out.println("Cold starts: no .aws-sam/build (run sam build first); skipped.");
            return;
        }
        HttpServer receiver = receiver();
        try {
            new ColdStarts(stack, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/cold").run(rounds, results);
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * Runs every function's {@code sam build} artifact once, in a fresh JVM, on its cold-start request, and
     * returns what went wrong: a function that failed or whose answer is not the success that request must
     * get (a 2xx, or the 405 of the catch-all route; no failed queue message; an Allow policy).
     */
    static List<String> check(DevStack stack) throws Exception {
        return checkEach(stack, ColdStarts::environment, (function, run) -> {
            String problem = problem(function, run.answer());
            return problem == null ? null : problem + " [" + run.status() + "]";
        });
    }

    /**
     * Runs every artifact once more as on AWS, where the local stack never runs it: no endpoint override, so
     * the SDK resolves each service's public endpoint by its rules, and the role's credentials from a container
     * endpoint (as a SnapStart restore gets them; here a local server). Nothing here reaches AWS, so each call
     * fails at the network once it is resolved, signed and sent; what must not happen on that path is a class or
     * method the shrunk jars left out (a linkage error). Returns what went wrong.
     */
    static List<String> checkProductionPath(DevStack stack) throws Exception {
        AtomicInteger credentialCalls = new AtomicInteger();
        HttpServer credentials = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        credentials.createContext("/role-credentials", exchange -> {
            credentialCalls.incrementAndGet();
            byte[] body = Json.write(Map.of(
                            "AccessKeyId",
                            "ASIAEXAMPLEPRODPATH1",
                            "SecretAccessKey",
                            "example-secret",
                            "Token",
                            "example-token",
                            "Expiration",
                            Instant.now().plusSeconds(3600).toString()))
                    .getBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        credentials.start();
        try {
            return checkEach(
                    stack,
                    (cold, function) -> {
                        Map<String, String> env = new LinkedHashMap<>(cold.environment(function));
                        List.of("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
                                .forEach(env::remove);
                        env.put("AWS_REGION", "us-east-1");
                        env.put(
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                "http://127.0.0.1:" + credentials.getAddress().getPort() + "/role-credentials");
                        credentialCalls.set(0);
                        return env;
                    },
                    (function, run) -> {
                        String problem = productionPathProblem(
                                run.status(),
                                run.output(),
                                // A function the template grants no permission calls no AWS service (the 405 answer,
                                // the event catalog's listing).
                                stack.resources()
                                        .template()
                                        .resources("AWS::Serverless::Function")
                                        .get(function)
                                        .containsKey("Policies"),
                                credentialCalls.get() > 0);
                        return problem == null ? null : "as on AWS, " + problem;
                    });
        } finally {
            credentials.stop(0);
        }
    }

    /** What is wrong with one function's run, or null. */
    private interface Verdict {
        String of(String function, Run run);
    }

    /** Runs every function's artifact once, in a fresh JVM, in the environment given; the problems found. */
    private static List<String> checkEach(
            DevStack stack, BiFunction<ColdStarts, String, Map<String, String>> environment, Verdict verdict)
            throws Exception {
        HttpServer receiver = receiver();
        try {
            ColdStarts cold = new ColdStarts(
                    stack, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/cold");
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> problems = new ArrayList<>();
            for (var function : cold.handlers().entrySet()) {
                Run run = cold.function(
                        java,
                        function.getKey(),
                        function.getValue(),
                        BUILD.resolve(function.getKey()),
                        environment.apply(cold, function.getKey()));
                String problem = verdict.of(function.getKey(), run);
                System.out.printf(
                        "  %-28s %5d ms  %s%n", function.getKey(), run.firstMs(), problem == null ? "ok" : "FAILED");
                if (problem != null) {
                    problems.add(function.getKey() + ": " + problem);
                }
            }
            return problems;
        } finally {
            receiver.stop(0);
        }
    }

    private static final Pattern LINKAGE = Pattern.compile(
            "\\b(NoClassDefFoundError|ClassNotFoundException|NoSuchMethodError|NoSuchFieldError|AbstractMethodError|"
                    + "IncompatibleClassChangeError|LinkageError|ExceptionInInitializerError|ServiceConfigurationError)\\b");
    private static final Pattern PUBLIC_ENDPOINT = Pattern.compile("\\b[a-z]+\\.us-east-1\\.amazonaws\\.com\\b");

    /**
     * What is wrong with a run as on AWS, from its status and all it printed: a linkage error, a JVM that died,
     * or (for a function that calls AWS) no credentials fetched or no public endpoint tried; null if nothing.
     */
    static String productionPathProblem(String status, String output, boolean callsAws, boolean fetchedCredentials) {
        var linkage = LINKAGE.matcher(output);
        if (linkage.find()) {
            return "a class or member missing from the artifact (" + linkage.group(1) + ")";
        }
        if (status.startsWith("died")) {
            return status;
        }
        if (callsAws && !fetchedCredentials) {
            return "never fetched the role's credentials from the container endpoint";
        }
        if (callsAws && !PUBLIC_ENDPOINT.matcher(output).find()) {
            return "never tried the service's public endpoint";
        }
        return null;
    }

    private static String problem(String function, String answer) {
        if (answer.isBlank()) {
            return "no answer";
        }
        JsonValue json = Json.parse(answer);
        if (json.has("statusCode")) {
            int status = json.get("statusCode").asInt();
            boolean expected =
                    function.equals("MethodNotAllowedFunction") ? status == 405 : status >= 200 && status < 300;
            return expected ? null : "answered " + status;
        }
        if (json.has("batchItemFailures")) {
            return json.get("batchItemFailures").size() == 0 ? null : "failed its message";
        }
        if (json.has("policyDocument")) {
            return answer.contains("\"Allow\"") ? null : "denied the key";
        }
        if (json.has("queued") && json.has("failed")) {
            // The sweep's account of its run.
            return json.get("failed").asInt() == 0
                    ? null
                    : "failed to look at " + json.get("failed").asInt();
        }
        return "an answer of no known kind";
    }

    private Map<String, String> handlers() {
        Map<String, String> handlers = new LinkedHashMap<>();
        // BENCH_FUNCTIONS=GetAgentFunction,... measures only those (beside the naive handler), to try one lever.
        String only = System.getenv().getOrDefault("BENCH_FUNCTIONS", "");
        stack.resources().template().resources("AWS::Serverless::Function").forEach((id, props) -> {
            if (only.isBlank() || List.of(only.split(",")).contains(id)) {
                handlers.put(id, ((String) props.get("Handler")).split("::")[0]);
            }
        });
        return handlers;
    }

    /** A callback receiver that answers every call 200. */
    private static HttpServer receiver() throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("{}".getBytes());
            exchange.close();
        });
        receiver.start();
        return receiver;
    }

    /**
     * The run, if it answered as that request must be answered: a copy with a lever that breaks the function
     * (an exception caught into a 500, a callback not made) would otherwise look faster, not broken.
     */
    private static Run measured(Series series, Run run) {
        if (run.status().startsWith("died")) {
            throw new IllegalStateException(series + " gave no measurement: " + run.status());
        }
        String problem = problem(series.function(), run.answer());
        if (problem != null) {
            throw new IllegalStateException(series + " " + problem + ": " + run.status());
        }
        return run;
    }

    /** The runs of one artifact: a function's as {@code sam build} made it, or its copy under BENCH_COMPARE. */
    private record Series(String function, boolean compared) {
        static final Series NAIVE = new Series("naive", false);

        @Override
        public String toString() {
            return compared ? function + " (compared copy)" : function;
        }
    }

    private void run(int rounds, Map<String, Object> results) throws Exception {
        Map<String, String> handlers = handlers();
        Map<Series, List<Run>> runs = new LinkedHashMap<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // BENCH_COMPARE=DIR also runs DIR/<Function>, where there is one (a copy of the function's artifact with a
        // lever tried on it), in the same rounds, first in every other round: of two runs back to back, the second
        // tends to answer sooner.
        String variants = System.getenv().getOrDefault("BENCH_COMPARE", "");
        for (int round = 0; round < rounds; round++) {
            runs.computeIfAbsent(Series.NAIVE, k -> new ArrayList<>()).add(measured(Series.NAIVE, naive(java)));
            for (var function : handlers.entrySet()) {
                List<Series> series = new ArrayList<>(List.of(new Series(function.getKey(), false)));
                if (!variants.isBlank() && Files.isDirectory(Path.of(variants, function.getKey()))) {
                    series.add(round % 2, new Series(function.getKey(), true));
                }
                for (Series artifact : series) {
                    Path directory = artifact.compared()
                            ? Path.of(variants, function.getKey())
                            : BUILD.resolve(function.getKey());
                    runs.computeIfAbsent(artifact, k -> new ArrayList<>())
                            .add(measured(artifact, function(java, function.getKey(), function.getValue(), directory)));
                }
            }
        }
        long naive = median(runs.get(Series.NAIVE), Run::firstMs);
        System.out.printf(
                "Cold starts (%d interleaved rounds, fresh JVMs, %s, sam build artifacts; medians):%n",
                rounds, String.join(" ", JVM_FLAGS));
        System.out.printf(
                "  %-24s first answer %5d ms  classes %5d  heap %3d MB%n",
                "naive (baseline)",
                naive,
                median(runs.get(Series.NAIVE), Run::classes),
                median(runs.get(Series.NAIVE), Run::heapMb));
        results.put("cold_start_naive_ms", naive);
        results.put("classes_loaded_naive", median(runs.get(Series.NAIVE), Run::classes));
        for (String function : handlers.keySet()) {
            List<Run> measured = runs.get(new Series(function, false));
            long first = median(measured, Run::firstMs);
            double ratio = Math.round(100.0 * first / naive) / 100.0;
            double megabytes = Math.round(artifactBytes(function) / 1e5) / 10.0;
            results.put("cold_start_ratio_" + function, ratio);
            results.put("cold_start_ms_" + function, first);
            results.put("classes_loaded_" + function, median(measured, Run::classes));
            results.put("artifact_mb_" + function, megabytes);
            System.out.printf(
                    "  %-24s first answer %5d ms (%.2f x naive)  init %4d ms  classes %5d  heap %3d MB  "
                            + "artifact %4.1f MB  [%s]%n",
                    function,
                    first,
                    ratio,
                    median(measured, Run::initMs),
                    median(measured, Run::classes),
                    median(measured, Run::heapMb),
                    megabytes,
                    measured.get(0).status());
            List<Run> compared = runs.get(new Series(function, true));
            if (compared != null) {
                long other = median(compared, Run::firstMs);
                System.out.printf(
                        "  %-24s first answer %5d ms (%.2f x naive, %+d ms)  classes %5d  runs %s against %s%n",
                        "  compared",
                        other,
                        Math.round(100.0 * other / naive) / 100.0,
                        other - first,
                        median(compared, Run::classes),
                        compared.stream().map(Run::firstMs).toList(),
                        measured.stream().map(Run::firstMs).toList());
            }
        }
    }

    private Run naive(String java) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(stack.resources().awsVariables());
        env.put("AGENTS_TABLE", "AgentsTable");
        String classpath = HARNESS.resolve("classes") + ":" + HARNESS.resolve("lib") + "/*";
        return launch(
                java,
                classpath,
                env,
                "ai.avala.agents.local.coldstart.NaiveGetItemHandler",
                api("GET", "/api/v1/agents/" + agentUid + "/", Map.of("uid", agentUid), Map.of(), null));
    }

    private Run function(String java, String function, String handler, Path artifact) throws Exception {
        return function(java, function, handler, artifact, environment(function));
    }

    /** The function's environment as the template sets it, on the local stack's resources. */
    private Map<String, String> environment(String function) {
        return FunctionEnvironment.of(stack.resources(), function, Map.of("ALLOW_LOCAL_CALLBACKS", "true"));
    }

    private Run function(String java, String function, String handler, Path artifact, Map<String, String> env)
            throws Exception {
        String classpath = artifact + ":" + artifact.resolve("lib") + "/*:" + HARNESS.resolve("classes") + ":"
                + serializationJar();
        return launch(java, classpath, env, handler, event(function));
    }

    /** One real request of each function, fresh where the request consumes its data. */
    private String event(String function) {
        String agent = "/api/v1/agents/" + agentUid + "/";
        return switch (function) {
            case "AuthorizerFunction" ->
                Json.write(Map.of(
                        "type",
                        "REQUEST",
                        "headers",
                        Map.of("X-Avala-Api-Key", key),
                        "methodArn",
                        "arn:aws:execute-api:us-east-1:000000000000:api/prod/GET/api/v1/agents"));
            case "ListAgentsFunction" -> api("GET", "/api/v1/agents/", Map.of(), Map.of("limit", "10"), null);
            case "ListEventTypesFunction" -> api("GET", "/api/v1/event-types/", Map.of(), Map.of("limit", "10"), null);
            case "GetAgentFunction" -> api("GET", agent, Map.of("uid", agentUid), Map.of(), null);
            case "CreateAgentFunction" ->
                api(
                        "POST",
                        "/api/v1/agents/",
                        Map.of(),
                        Map.of(),
                        "{\"name\": \"created cold\", \"events\": [\"export.completed\"]}");
            case "UpdateAgentFunction" ->
                api(
                        "PATCH",
                        agent,
                        Map.of("uid", agentUid),
                        Map.of(),
                        "{\"description\": \"" + UUID.randomUUID() + "\"}");
            case "DeleteAgentFunction" -> {
                String doomed = agents.register(TENANT, AgentChanges.forCreate("{\"name\": \"doomed\"}"))
                        .agent()
                        .uid();
                yield api("DELETE", "/api/v1/agents/" + doomed + "/", Map.of("uid", doomed), Map.of(), null);
            }
            case "ListExecutionsFunction" ->
                api("GET", agent + "executions/", Map.of("uid", agentUid), Map.of("limit", "10"), null);
            case "TestAgentFunction" -> api("POST", agent + "test/", Map.of("uid", agentUid), Map.of(), null);
            case "AgentActionFunction" ->
                api(
                        "POST",
                        "/api/v1/agent-actions/",
                        Map.of(),
                        Map.of(),
                        "{\"execution\": \"" + execution(pullAgentUid, ExecutionStatus.PENDING)
                                + "\", \"action\": \"approve\"}");
            case "RedeliverExecutionFunction" -> {
                String failed = execution(agentUid, ExecutionStatus.FAILED);
                yield api(
                        "POST",
                        agent + "executions/" + failed + "/redeliver/",
                        Map.of("uid", agentUid, "execution_uid", failed),
                        Map.of(),
                        null);
            }
            case "RedeliverFailedFunction" ->
                api(
                        "POST",
                        agent + "redeliver-failed/",
                        Map.of("uid", agentUid),
                        Map.of(),
                        "{\"since\": \"" + Instant.now().minusSeconds(3600) + "\"}");
            case "RotateSecretFunction" ->
                api("POST", agent + "rotate-secret/", Map.of("uid", agentUid), Map.of(), "{\"overlap_seconds\": 60}");
            case "MethodNotAllowedFunction" -> api("PUT", "/api/v1/agents/", Map.of(), Map.of(), "{}");
            case "DispatcherFunction" ->
                sqs(Json.write(Map.of(
                        "id",
                        "evt_" + UUID.randomUUID(),
                        "type",
                        "task.completed",
                        "tenant",
                        TENANT,
                        "task",
                        "task_1")));
            case "DeliveryFunction" ->
                sqs(new DeliveryTask(
                                TENANT,
                                agentUid,
                                execution(agentUid, ExecutionStatus.RUNNING),
                                0,
                                System.currentTimeMillis())
                        .toJson());
            case "StatsFunction" ->
                Json.write(Map.of(
                        "Records",
                        List.of(Map.of(
                                "eventName",
                                "INSERT",
                                "dynamodb",
                                Map.of(
                                        "Keys",
                                                Map.of(
                                                        "agent",
                                                        Map.of("S", agentUid),
                                                        "uid",
                                                        Map.of("S", "exec_" + Ids.ulid(System.currentTimeMillis()))),
                                        "NewImage",
                                                Map.of("tenant", Map.of("S", TENANT), "status", Map.of("S", "success")),
                                        "SequenceNumber", Long.toString(System.nanoTime()))))));
            case "SweepFunction" ->
                Json.write(Map.of(
                        "version",
                        "0",
                        "id",
                        UUID.randomUUID().toString(),
                        "detail-type",
                        "Scheduled Event",
                        "source",
                        "aws.events",
                        "time",
                        Instant.now().toString(),
                        "detail",
                        Map.of()));
            default -> throw new IllegalStateException("No cold-start request for " + function);
        };
    }

    private String execution(String agent, ExecutionStatus status) {
        Instant now = Instant.now();
        String uid = "exec_" + Ids.ulid(now.toEpochMilli());
        wiring.executions()
                .create(new Execution(
                        uid,
                        agent,
                        TENANT,
                        "evt_" + uid,
                        "task.completed",
                        null,
                        null,
                        status,
                        null,
                        Map.of(),
                        null,
                        null,
                        0,
                        null,
                        null,
                        now,
                        now,
                        List.of(),
                        null));
        return uid;
    }

    private String api(
            String method, String path, Map<String, String> pathParameters, Map<String, String> query, String body) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("resource", path);
        event.put("path", path);
        event.put("httpMethod", method);
        event.put(
                "headers",
                Map.of("Host", "api.example.com", "Content-Type", "application/json", "X-Forwarded-Proto", "https"));
        event.put("queryStringParameters", query.isEmpty() ? null : query);
        event.put("pathParameters", pathParameters.isEmpty() ? null : pathParameters);
        event.put(
                "requestContext",
                Map.of(
                        "path",
                        "/prod" + path,
                        "stage",
                        "prod",
                        "httpMethod",
                        method,
                        "authorizer",
                        Map.of("tenant", TENANT, "principalId", TENANT)));
        event.put("body", body);
        event.put("isBase64Encoded", false);
        return Json.write(event);
    }

    private static String sqs(String body) {
        return Json.write(Map.of(
                "Records",
                List.of(Map.of(
                        "messageId",
                        UUID.randomUUID().toString(),
                        "body",
                        body,
                        "attributes",
                        Map.of("SentTimestamp", Long.toString(System.currentTimeMillis())),
                        "messageAttributes",
                        Map.of(),
                        "eventSource",
                        "aws:sqs"))));
    }

    private static Run launch(String java, String classpath, Map<String, String> env, String handler, String event)
            throws IOException, InterruptedException {
        Path file = Files.createTempFile("cold-", ".json");
        Files.writeString(file, event);
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_FLAGS);
        // BENCH_JVM_FLAGS adds flags to every JVM (e.g. -Xlog:class+load to see what a function loads, and when).
        String extra = System.getenv().getOrDefault("BENCH_JVM_FLAGS", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-cp", classpath, "ai.avala.agents.local.coldstart.LambdaRuntimeHarness", handler, file.toString()));
        Path errors = Files.createTempFile("cold-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        Files.delete(file);
        // What the JVM printed when it died (a missing class, say): the last lines of its standard error.
        List<String> errorLines = Files.readAllLines(errors);
        Files.delete(errors);
        String[] line = out.strip().lines().reduce((a, b) -> b).orElse("").split(" ", 6);
        if (line.length < 5) {
            List<String> thrown = errorLines.stream()
                    .filter(l -> l.matches(".*(Error|Exception)\\b.*"))
                    .limit(2)
                    .toList();
            String died = String.join(
                    " | ",
                    thrown.isEmpty()
                            ? errorLines.subList(Math.max(0, errorLines.size() - 3), errorLines.size())
                            : thrown);
            return new Run(0, 0, 0, 0, "died: " + died, "", out + String.join("\n", errorLines));
        }
        String answer = line.length > 5 ? line[5] : "";
        String status = line[4] + " " + answer.substring(0, Math.min(60, answer.length()));
        return new Run(
                Long.parseLong(line[0]),
                Long.parseLong(line[1]),
                Long.parseLong(line[2]),
                Long.parseLong(line[3]),
                status,
                line[4].equals("ok") ? answer : "",
                out + String.join("\n", errorLines));
    }

    private static Path serializationJar() throws IOException {
        try (Stream<Path> jars = Files.list(HARNESS.resolve("lib"))) {
            return jars.filter(jar -> jar.getFileName().toString().startsWith("aws-lambda-java-serialization"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "local/coldstart/target/lib has no aws-lambda-java-serialization"));
        }
    }

    private static long artifactBytes(String function) throws IOException {
        try (Stream<Path> files = Files.walk(BUILD.resolve(function))) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> file.toFile().length())
                    .sum();
        }
    }

    private static long median(List<Run> runs, java.util.function.ToLongFunction<Run> field) {
        List<Long> values =
                new ArrayList<>(runs.stream().map(run -> field.applyAsLong(run)).toList());
        Collections.sort(values);
        return values.get(values.size() / 2);
    }
}
