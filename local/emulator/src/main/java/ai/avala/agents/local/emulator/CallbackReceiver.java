package ai.avala.agents.local.emulator;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A real HTTP receiver of callbacks on loopback. Each path answers as told; every call is recorded
 * with whether its Standard Webhooks signature verified against the secret registered for that path.
 */
public final class CallbackReceiver implements AutoCloseable {

    /** One call as it arrived, {@code receivedNanos} from {@link System#nanoTime()}. */
    public record Call(
            String path, String body, Map<String, List<String>> headers, boolean signatureValid, long receivedNanos) {

        /** Whether one of the call's signatures is {@code secret}'s (Standard Webhooks' reference verifier). */
        public boolean signedWith(String secret) {
            try {
                new Webhook(secret).verify(body, headers);
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        /** The {@code webhook-signature} header's signatures. */
        public List<String> signatures() {
            return List.of(header("webhook-signature").split(" "));
        }

        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** How to answer: a status and body after {@code delayMillis}, after {@code gate} opens, or hang up without answering. */
    public record Answer(
            int status,
            String body,
            Map<String, String> headers,
            long delayMillis,
            CountDownLatch gate,
            boolean hangUp) {
        public Answer(int status, String body, Map<String, String> headers, long delayMillis) {
            this(status, body, headers, delayMillis, null, false);
        }

        public static Answer json(int status, String body) {
            return new Answer(status, body, Map.of("Content-Type", "application/json"), 0);
        }

        public static Answer hangingUp() {
            return new Answer(0, null, Map.of(), 0, null, true);
        }

        public static Answer after(CountDownLatch gate) {
            return new Answer(200, "{}", Map.of("Content-Type", "application/json"), 0, gate, false);
        }
    }

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
    private final Map<String, Answer> firstAnswers = new ConcurrentHashMap<>();
    private final Set<String> messagesSeen = ConcurrentHashMap.newKeySet();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> mostInFlight = new ConcurrentHashMap<>();

    public CallbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers calls to {@code path} in this order; the last answer repeats. */
    public void answer(String path, Answer... sequence) {
        answers.put(path, new ArrayDeque<>(List.of(sequence)));
    }

    /**
     * Answers the first call of each message to {@code path} (each {@code webhook-id}) with {@code first}, and
     * every later call of it as the path's other answers say: a receiver that fails once per message.
     */
    public void answerEachMessageFirst(String path, Answer first) {
        firstAnswers.put(path, first);
    }

    private Answer next(String path, String messageId) {
        Answer first = firstAnswers.get(path);
        if (first != null && messageId != null && messagesSeen.add(path + "|" + messageId)) {
            return first;
        }
        Deque<Answer> sequence = answers.get(path);
        if (sequence == null) {
            return Answer.json(200, "{\"ok\": true}");
        }
        synchronized (sequence) {
            return sequence.size() > 1 ? sequence.poll() : sequence.peek();
        }
    }

    public void secret(String path, String secret) {
        secrets.put(path, secret);
    }

    /** The most calls to {@code path} that were being answered at the same time. */
    public int mostAtOnce(String path) {
        var most = mostInFlight.get(path);
        return most == null ? 0 : most.get();
    }

    /** Every call so far, in the order they arrived. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String path) {
        return calls.stream().filter(c -> c.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int now = inFlight.computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
        mostInFlight
                .computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger())
                .accumulateAndGet(now, Math::max);
        try {
            answer(exchange, path);
        } finally {
            inFlight.get(path).decrementAndGet();
        }
    }

    private void answer(HttpExchange exchange, String path) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            boolean valid;
            try {
                new Webhook(secrets.getOrDefault(path, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
                        .verify(body, headers);
                valid = true;
            } catch (Exception e) {
                valid = false;
            }
            calls.add(new Call(path, body, headers, valid, System.nanoTime()));
            List<String> ids = headers.get("webhook-id");
            Answer answer = next(path, ids == null || ids.isEmpty() ? null : ids.get(0));
            if (answer.hangUp()) {
                return;
            }
            if (answer.delayMillis() > 0) {
                Thread.sleep(answer.delayMillis());
            }
            if (answer.gate() != null) {
                answer.gate().await();
            }
            answer.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            byte[] bytes = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
