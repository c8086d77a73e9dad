package ai.avala.agents.local.stack;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.local.emulator.LocalResources;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code local/bench}: figures, not assertions. Cold starts of three functions in fresh JVMs, API
 * latency through the local stack, and the dispatcher's fan-out, all against moto on this machine.
 * moto bounds the last two: besides its 200-300 writes per second, each TransactWriteItems deep-copies
 * the tables it touches, so its transactions slow down as the tables grow (DynamoDB's do not).
 */
public final class Benchmark {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try (LocalStack stack = LocalStack.start(Options.of(0, null, Map.of("bench", "avk_bench_" + UUID.randomUUID()), true))) {
            String key = stack.apiKeys().get("bench");
            coldStarts(stack);
            String uid = apiLatency(stack, key);
            fanOut(stack, key, agents, events);
            request(stack, key, "DELETE", "/agents/" + uid + "/", null);
        }
    }

    private static void coldStarts(LocalStack stack) throws Exception {
        System.out.println("Cold start (fresh JVM, -XX:TieredStopAtLevel=1 as in template.yaml; median of 3):");
        String sample = "{\"httpMethod\":\"GET\",\"path\":\"/api/v1/agents/x/\",\"pathParameters\":{\"uid\":\"agent_x\"},"
                + "\"requestContext\":{\"authorizer\":{\"tenant\":\"bench\"},\"path\":\"/api/v1/agents/x/\"},\"headers\":{\"Host\":\"h\"}}";
        record Case(String function, String handler, String event, String type) {
        }
        List<Case> cases = List.of(
                new Case("GetAgentFunction", "ai.avala.agents.functions.getagent.GetAgentHandler", sample,
                        "com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent"),
                new Case("AuthorizerFunction", "ai.avala.agents.functions.authorizer.AuthorizerHandler",
                        "{\"type\":\"REQUEST\",\"headers\":{\"X-Avala-Api-Key\":\"avk_none\"}}",
                        "com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent"),
                new Case("DispatcherFunction", "ai.avala.agents.functions.dispatcher.DispatcherHandler",
                        "{\"records\":[{\"messageId\":\"m1\",\"body\":\"{\\\"id\\\":\\\"e1\\\",\\\"type\\\":\\\"task.completed\\\",\\\"tenant\\\":\\\"nobody\\\"}\"}]}",
                        "com.amazonaws.services.lambda.runtime.events.SQSEvent"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (Case c : cases) {
            String env = Json.write(FunctionEnvironment.of(stack.resources(), c.function(), Map.of()).values());
            List<JsonNode> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                        ColdStart.class.getName(), c.handler(), env, c.event(), c.type()).redirectErrorStream(false).start();
                String out = new String(process.getInputStream().readAllBytes());
                process.waitFor();
                String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
                runs.add(Json.parse(last));
            }
            System.out.printf("  %-20s init %5d ms   first answer %5d ms   heap %3d MB%n", c.function(),
                    median(runs, "init_ms"), median(runs, "first_ms"), median(runs, "heap_mb"));
        }
    }

    private static String apiLatency(LocalStack stack, String key) throws Exception {
        String uid = Json.parse(request(stack, key, "POST", "/agents/", "{\"name\": \"bench\"}").body()).get("uid").asText();
        for (int i = 0; i < 50; i++) {
            request(stack, key, "GET", "/agents/" + uid + "/", null);
        }
        List<Long> gets = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long start = System.nanoTime();
            request(stack, key, "GET", "/agents/" + uid + "/", null);
            gets.add((System.nanoTime() - start) / 1000);
        }
        List<Long> creates = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long start = System.nanoTime();
            String created = request(stack, key, "POST", "/agents/", "{\"name\": \"c" + i + "\", \"events\": [\"x.y\"]}").body();
            creates.add((System.nanoTime() - start) / 1000);
            request(stack, key, "DELETE", "/agents/" + Json.parse(created).get("uid").asText() + "/", null);
        }
        System.out.printf("API through the local stack on moto (warm): GET agent p50 %.1f ms p95 %.1f ms; "
                + "POST agent p50 %.1f ms p95 %.1f ms%n", pct(gets, 50), pct(gets, 95), pct(creates, 50), pct(creates, 95));
        return uid;
    }

    private static void fanOut(LocalStack stack, String key, int agents, int events) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            for (int i = 0; i < agents; i++) {
                request(stack, key, "POST", "/agents/", "{\"name\": \"fan" + i + "\", \"events\": [\"bench.fanout\"], "
                        + "\"callback_url\": \"" + url + "\"}");
            }
            try (var sqs = LocalResources.sqs(stack.resources().aws())) {
                long start = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    String body = Json.write(Map.of("id", "evt_" + UUID.randomUUID(), "type", "bench.fanout", "tenant", "bench"));
                    sqs.sendMessage(r -> r.queueUrl(stack.queueUrl()).messageBody(body));
                }
                int expected = agents * events;
                long deadline = System.nanoTime() + 300_000_000_000L;
                while (calls.get() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("Dispatch: %d events x %d agents = %d signed callbacks (%d received) in %.1f s: "
                        + "%.0f callbacks/s, %.2f s per event (each callback: 2 DynamoDB transactions and a lease write)%n",
                        events, agents, expected, calls.get(), seconds, calls.get() / seconds, seconds / events);
            }
        } finally {
            receiver.stop(0);
        }
    }

    private static HttpResponse<String> request(LocalStack stack, String key, String method, String path, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).header("X-Avala-Api-Key", key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long median(List<JsonNode> runs, String field) {
        List<Long> values = new ArrayList<>(runs.stream().map(r -> r.path(field).asLong()).toList());
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    private static double pct(List<Long> micros, int percentile) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percentile / 100)) / 1000.0;
    }
}
