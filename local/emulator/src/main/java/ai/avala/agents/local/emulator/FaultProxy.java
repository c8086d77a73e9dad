package ai.avala.agents.local.emulator;

import ai.avala.agents.json.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AWS's everyday faults, in front of an emulator that never fails: an HTTP proxy between the SDK clients and
 * moto (or LocalStack) that fails a share of the data-plane requests the way DynamoDB and SQS do, seeded and
 * repeatable. Below the SDK, so that the SDK's own retries are part of what is tested. Each eligible request
 * draws, with probability {@code rate}, one fault its operation can have:
 * <ul>
 *   <li>{@link Kind#THROTTLE}: DynamoDB's {@code ProvisionedThroughputExceededException}, SQS's throttling;
 *   <li>{@link Kind#SERVER_ERROR}: a 500;
 *   <li>{@link Kind#RESET}: the connection closed before the request reaches the emulator;
 *   <li>{@link Kind#LOST_ANSWER}: the request applied, its answer lost (the connection closed instead);
 *   <li>{@link Kind#TRANSACTION_CONFLICT}: {@code TransactWriteItems} cancelled with reason
 *       {@code TransactionConflict}, nothing written;
 *   <li>{@link Kind#UNPROCESSED_KEYS}: {@code BatchGetItem} reading only part of its keys, the rest in
 *       {@code UnprocessedKeys};
 *   <li>{@link Kind#BATCH_ENTRIES_FAILED}: {@code SendMessageBatch} sending only part of its entries, the rest
 *       in {@code Failed}.
 * </ul>
 * Where moto differs from AWS it behaves as AWS does: a {@code TransactWriteItems} sent again with a
 * {@code ClientRequestToken} that already took effect (the SDK fills it in and keeps it across its retries)
 * succeeds without being applied twice, as DynamoDB's idempotent transactions do.
 */
public final class FaultProxy implements AutoCloseable {

    /** The faults, each limited to the operations that can have it. */
    public enum Kind {
        THROTTLE,
        SERVER_ERROR,
        RESET,
        LOST_ANSWER,
        TRANSACTION_CONFLICT,
        UNPROCESSED_KEYS,
        BATCH_ENTRIES_FAILED
    }

    /**
     * The share of eligible requests that fail, the seed of the draws, and the kinds drawn from (each request
     * draws among those its operation can have).
     */
    public record Settings(double rate, long seed, Set<Kind> kinds, boolean firstSendingOnly, Set<String> operations) {

        public Settings {
            if (rate < 0 || rate > 1) {
                throw new IllegalArgumentException("The fault rate is a share from 0 to 1: " + rate);
            }
            kinds = Set.copyOf(kinds);
            operations = Set.copyOf(operations);
        }

        /** {@code RATE[,SEED]} ({@code local/run --faults}): every kind. */
        public static Settings parse(String text) {
            String[] parts = text.split(",", 2);
            try {
                return new Settings(
                        Double.parseDouble(parts[0].trim()),
                        parts.length > 1 ? Long.parseLong(parts[1].trim()) : 1,
                        Set.of(Kind.values()),
                        false,
                        Set.of());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--faults takes RATE[,SEED], e.g. 0.15,42: " + text);
            }
        }

        /** Only {@code kind}, at {@code rate}. */
        public static Settings only(Kind kind, double rate) {
            return new Settings(rate, 1, Set.of(kind), false, Set.of());
        }

        /**
         * Only {@code kind}, at {@code rate}, and each request at most on its first sending: the SDK's retry of it
         * (the same request sent again) and a caller's own retry (the same transaction, with a new token) pass.
         */
        public static Settings onFirstSending(Kind kind, double rate) {
            return new Settings(rate, 1, Set.of(kind), true, Set.of());
        }

        /** These settings, failing only the named operations ({@code GetItem}, {@code SendMessage}, ...). */
        public Settings forOperations(String... names) {
            return new Settings(rate, seed, kinds, firstSendingOnly, Set.of(names));
        }
    }

    private static final Set<String> WRITES = Set.of(
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "BatchWriteItem",
            "TransactWriteItems",
            "SendMessage",
            "SendMessageBatch",
            "DeleteMessage",
            "DeleteMessageBatch",
            "ChangeMessageVisibility");
    private static final Set<String> READS = Set.of("GetItem", "Query", "BatchGetItem", "TransactGetItems");

    private final HttpServer server;
    private final HttpClient upstream = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI target;
    private final Settings settings;
    private final Random random;
    private final Map<Kind, AtomicLong> injected = new EnumMap<>(Kind.class);
    private final Set<String> appliedTransactions = ConcurrentHashMap.newKeySet();
    private final Set<String> sentBefore = ConcurrentHashMap.newKeySet();
    private volatile boolean failing = true;

    private FaultProxy(HttpServer server, URI target, Settings settings) {
        this.server = server;
        this.target = target;
        this.settings = settings;
        this.random = new Random(settings.seed());
        for (Kind kind : Kind.values()) {
            injected.put(kind, new AtomicLong());
        }
    }

    /** A proxy on a free loopback port in front of {@code upstream} (an emulator's endpoint). */
    public static FaultProxy start(String upstream, Settings settings) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            FaultProxy proxy = new FaultProxy(server, URI.create(upstream), settings);
            server.createContext("/", proxy::serve);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault proxy: " + e.getMessage(), e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Stops injecting faults (the dependency recovered): every request from now on reaches the emulator. */
    public void stopFaults() {
        failing = false;
    }

    /** Injects faults again, as the settings say (a proxy starts doing so). */
    public void resumeFaults() {
        failing = true;
    }

    /** How many faults of each kind were injected so far. */
    public Map<Kind, Long> injected() {
        Map<Kind, Long> counts = new EnumMap<>(Kind.class);
        injected.forEach((kind, count) -> counts.put(kind, count.get()));
        return counts;
    }

    @Override
    public void close() {
        server.stop(0);
        upstream.close();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String operation = operation(exchange);
            boolean dynamo = exchange.getRequestHeaders().getFirst("X-Amz-Target") != null
                    && exchange.getRequestHeaders().getFirst("X-Amz-Target").startsWith("DynamoDB");
            Kind fault = firstSending(operation, body) ? draw(operation) : null;
            if (fault != null) {
                injected.get(fault).incrementAndGet();
            }
            if ("TransactWriteItems".equals(operation) && alreadyApplied(body)) {
                answer(exchange, 200, "{}");
                return;
            }
            switch (fault) {
                case null -> relay(exchange, forward(exchange, body));
                case THROTTLE ->
                    answer(
                            exchange,
                            400,
                            dynamo
                                    ? error(
                                            "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                                            "The level of configured provisioned throughput for the table was exceeded.")
                                    : error("com.amazonaws.sqs#ThrottlingException", "Rate exceeded"));
                case SERVER_ERROR ->
                    answer(
                            exchange,
                            500,
                            dynamo
                                    ? error(
                                            "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                            "Internal server error")
                                    : error("com.amazonaws.sqs#InternalError", "We encountered an internal error."));
                case RESET -> {
                    // Closed unanswered before anything reached the emulator: the client sees the connection end.
                }
                case LOST_ANSWER -> forward(exchange, body);
                case TRANSACTION_CONFLICT -> answer(exchange, 400, transactionConflict(body));
                case UNPROCESSED_KEYS -> relay(exchange, partialBatchGet(exchange, body));
                case BATCH_ENTRIES_FAILED -> relay(exchange, partialSendBatch(exchange, body));
            }
        } catch (IOException | RuntimeException e) {
            // The exchange is closed unanswered: the client retries as it would after a broken connection.
        }
    }

    /** Whether this request may fail: always, or (first sending only) when it was not sent before. */
    private boolean firstSending(String operation, byte[] body) {
        if (!settings.firstSendingOnly()) {
            return true;
        }
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("\"ClientRequestToken\":\"[^\"]*\",?", "");
        return sentBefore.add(operation + "|" + text);
    }

    /** The fault of this request, or null; every draw comes from the one seeded sequence. */
    private Kind draw(String operation) {
        if (!failing) {
            return null;
        }
        if (!settings.operations().isEmpty() && !settings.operations().contains(operation)) {
            return null;
        }
        boolean write = WRITES.contains(operation);
        if (!write && !READS.contains(operation)) {
            return null; // control plane and long polls (ReceiveMessage): never failed here
        }
        List<Kind> possible = new ArrayList<>(List.of(Kind.THROTTLE, Kind.SERVER_ERROR, Kind.RESET));
        if (write) {
            possible.add(Kind.LOST_ANSWER);
        }
        switch (operation) {
            case "TransactWriteItems" -> possible.add(Kind.TRANSACTION_CONFLICT);
            case "BatchGetItem" -> possible.add(Kind.UNPROCESSED_KEYS);
            case "SendMessageBatch" -> possible.add(Kind.BATCH_ENTRIES_FAILED);
            default -> {}
        }
        possible.retainAll(settings.kinds());
        if (possible.isEmpty()) {
            return null;
        }
        synchronized (random) {
            if (random.nextDouble() >= settings.rate()) {
                return null;
            }
            return possible.get(random.nextInt(possible.size()));
        }
    }

    private static String operation(HttpExchange exchange) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) {
            return target.substring(target.indexOf('.') + 1);
        }
        String query = exchange.getRequestURI().getQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("Action=")) {
                    return pair.substring("Action=".length());
                }
            }
        }
        return "";
    }

    /** A transaction whose token already took effect: answered as applied, not applied again. */
    private boolean alreadyApplied(byte[] body) {
        String token = Json.parse(new String(body, StandardCharsets.UTF_8))
                .path("ClientRequestToken")
                .asText("");
        return !token.isEmpty() && appliedTransactions.contains(token);
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        target.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(60));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            HttpResponse<byte[]> response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 200 && "TransactWriteItems".equals(operation(exchange))) {
                String token = Json.parse(new String(body, StandardCharsets.UTF_8))
                        .path("ClientRequestToken")
                        .asText("");
                if (!token.isEmpty()) {
                    appliedTransactions.add(token);
                }
            }
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while forwarding", e);
        }
    }

    private static final Set<String> RESTRICTED =
            Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

    private static void relay(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
        response.headers().map().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        send(exchange, response.statusCode(), response.body());
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static String error(String type, String message) {
        return Json.write(Map.of("__type", type, "message", message));
    }

    /** Cancelled for a conflict on one of its items (the others {@code None}), as DynamoDB answers it. */
    private String transactionConflict(byte[] body) {
        int items = Json.parse(new String(body, StandardCharsets.UTF_8))
                .path("TransactItems")
                .size();
        int conflicting;
        synchronized (random) {
            conflicting = random.nextInt(Math.max(1, items));
        }
        List<Map<String, String>> reasons = new ArrayList<>();
        for (int i = 0; i < Math.max(1, items); i++) {
            reasons.add(
                    i == conflicting
                            ? Map.of("Code", "TransactionConflict", "Message", "Transaction is ongoing for the item")
                            : Map.of("Code", "None"));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("__type", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException");
        answer.put("message", "Transaction cancelled, please refer cancellation reasons for specific reasons");
        answer.put("CancellationReasons", reasons);
        return Json.write(answer);
    }

    /** Reads the first half of each table's keys; the rest come back as {@code UnprocessedKeys}. */
    private HttpResponse<byte[]> partialBatchGet(HttpExchange exchange, byte[] body) throws IOException {
        Map<String, Object> request = Json.objectOrNull(new String(body, StandardCharsets.UTF_8));
        Map<String, Object> unprocessed = new LinkedHashMap<>();
        Map<String, Object> tables = asMap(request.get("RequestItems"));
        Map<String, Object> kept = new LinkedHashMap<>();
        tables.forEach((table, value) -> {
            Map<String, Object> spec = new LinkedHashMap<>(asMap(value));
            List<?> keys = (List<?>) spec.get("Keys");
            int half = (keys.size() + 1) / 2;
            if (half < keys.size()) {
                Map<String, Object> rest = new LinkedHashMap<>(spec);
                rest.put("Keys", keys.subList(half, keys.size()));
                unprocessed.put(table, rest);
            }
            spec.put("Keys", keys.subList(0, half));
            kept.put(table, spec);
        });
        request.put("RequestItems", kept);
        HttpResponse<byte[]> response = forward(exchange, Json.write(request).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> answer = Json.objectOrNull(new String(response.body(), StandardCharsets.UTF_8));
        if (response.statusCode() != 200 || answer == null) {
            return response;
        }
        answer.put("UnprocessedKeys", unprocessed);
        return new Rewritten(response, Json.write(answer).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the first half of the entries; the rest come back in {@code Failed}, as a partial failure. */
    private HttpResponse<byte[]> partialSendBatch(HttpExchange exchange, byte[] body) throws IOException {
        Map<String, Object> request = Json.objectOrNull(new String(body, StandardCharsets.UTF_8));
        List<?> entries = request == null ? null : (List<?>) request.get("Entries");
        if (entries == null || entries.size() < 2) {
            return forward(exchange, body);
        }
        int half = entries.size() / 2;
        request.put("Entries", entries.subList(0, half));
        HttpResponse<byte[]> response = forward(exchange, Json.write(request).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> answer = Json.objectOrNull(new String(response.body(), StandardCharsets.UTF_8));
        if (response.statusCode() != 200 || answer == null) {
            return response;
        }
        List<Map<String, Object>> failed = new ArrayList<>();
        for (Object entry : entries.subList(half, entries.size())) {
            failed.add(Map.of(
                    "Id",
                    asMap(entry).get("Id"),
                    "SenderFault",
                    false,
                    "Code",
                    "InternalError",
                    "Message",
                    "We encountered an internal error."));
        }
        answer.put("Failed", failed);
        return new Rewritten(response, Json.write(answer).getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** An upstream answer with its body rewritten. */
    private record Rewritten(HttpResponse<byte[]> original, byte[] body) implements HttpResponse<byte[]> {
        @Override
        public int statusCode() {
            return original.statusCode();
        }

        @Override
        public HttpRequest request() {
            return original.request();
        }

        @Override
        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(
                    original.headers().map(),
                    (name, value) -> !name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("x-amz-crc32"));
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public URI uri() {
            return original.uri();
        }

        @Override
        public HttpClient.Version version() {
            return original.version();
        }
    }
}
