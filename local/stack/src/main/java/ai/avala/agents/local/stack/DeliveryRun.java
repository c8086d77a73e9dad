package ai.avala.agents.local.stack;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.CallbackReceiver;
import ai.avala.agents.local.emulator.FaultProxy;
import ai.avala.agents.local.emulator.LocalResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Labeling events through a running local stack, end to end, as production sees them: agents whose receivers
 * answer at once or fail each message's first call (503, then 200), some events sent twice (at-least-once
 * producers), poison messages among them, and reads of the API while the deliveries run; on a stack started
 * with faults, AWS's everyday faults on every call the functions make until the callbacks are in. Then the
 * faults stop and the run reads back what the receivers saw and what the API says. The chaos and load tests
 * assert on the figures; {@code local/bench} records them.
 */
final class DeliveryRun {

    /**
     * The run: {@code events} events (of which {@code sentTwice} are sent again), each to all {@code agents} agents
     * of one tenant (the first {@code flakyAgents} of them fail each message's first call), {@code poison}
     * unprocessable messages, {@code reads} API reads spread over the deliveries, and how long to wait for the
     * callbacks before giving up.
     */
    record Plan(int events, int agents, int flakyAgents, int sentTwice, int poison, int reads, Duration limit) {}

    /**
     * What the run saw. A message is one execution's callback ({@code webhook-id}); a pair is one event and one
     * agent, which must get exactly one message. {@code duplicateCallbacks} counts the calls beyond what each
     * pair needed (1, or 2 for a flaky receiver) plus every extra message of a pair; {@code deliverySeconds} is,
     * per pair, from the event's send to the callback the receiver accepted.
     */
    record Figures(
            int expectedCallbacks,
            int delivered,
            int duplicateCallbacks,
            int calls,
            List<Double> deliverySeconds,
            int apiRequests,
            int api5xx,
            int api500,
            int reads,
            int reads5xx,
            int unfinishedExecutions,
            int executions,
            int poisonSent,
            int poisonDeadLetteredWithReason,
            boolean statisticsAddUp,
            double wallSeconds) {

        /** The figures on one line, for a person reading the bench's output. */
        String summary() {
            return String.format(
                    "%d of %d callbacks accepted, %d sent twice, %d calls in all; delivery p50 %.1f s, p99 %.1f s; "
                            + "%d executions, %d unfinished; %d of %d poison messages dead-lettered with a reason; "
                            + "statistics %s; API: %d requests, %d answered 5xx (%d of them 500), %d of %d reads 5xx; "
                            + "%.0f s",
                    delivered,
                    expectedCallbacks,
                    duplicateCallbacks,
                    calls,
                    deliveryPercentile(50),
                    deliveryPercentile(99),
                    executions,
                    unfinishedExecutions,
                    poisonDeadLetteredWithReason,
                    poisonSent,
                    statisticsAddUp ? "add up" : "do NOT add up",
                    apiRequests,
                    api5xx,
                    api500,
                    reads5xx,
                    reads,
                    wallSeconds);
        }

        double deliveredRatio() {
            return expectedCallbacks == 0 ? 1 : (double) delivered / expectedCallbacks;
        }

        /** The {@code percentile}th delivery time in seconds (nearest rank), or -1 when nothing was delivered. */
        double deliveryPercentile(int percentile) {
            if (deliverySeconds.isEmpty()) {
                return -1;
            }
            List<Double> sorted = deliverySeconds.stream().sorted().toList();
            int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
            return sorted.get(Math.max(0, rank - 1));
        }
    }

    private static final String TENANT = "delivery_run";
    private static final String EVENT_TYPE = "task.completed";
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** Concurrent invocations per queue trigger in a run: see {@link #options}. */
    static final int QUEUE_CONCURRENCY = 8;

    private final DevStack stack;
    private final Plan plan;
    private final ApiClient api;
    private final AtomicInteger apiRequests = new AtomicInteger();
    private final AtomicInteger api5xx = new AtomicInteger();
    private final AtomicInteger api500 = new AtomicInteger();
    private final AtomicInteger readFailures = new AtomicInteger();

    private DeliveryRun(DevStack stack, Plan plan) {
        this.stack = stack;
        this.plan = plan;
        this.api = new ApiClient(stack.apiUrl(), stack.apiKeys().get(TENANT));
    }

    /**
     * The stack a run needs: its tenant's key, local callbacks allowed, failed callbacks retried after a second
     * (at most 3 attempts, 2 s each), and AWS's faults between the functions and the emulator when given. Each queue
     * trigger runs {@link #QUEUE_CONCURRENCY} invocations at once: what moto, one process serving about a hundred
     * requests a second, keeps up with. The template's 100 deliveries invocations of 10 tasks each would queue every
     * call in moto for longer than a delivery keeps after its callback, which DynamoDB never does; their invocations
     * would then outlive their timeout, as a Lambda process that dies does, and repeat callbacks.
     */
    static Options options(Optional<FaultProxy.Settings> faults) {
        Options options = Options.of(0, null, Map.of(TENANT, "avk_delivery_run_000000000000"), true)
                .withEnvironment(Map.of(
                        "CALLBACK_RETRY_SCHEDULE_SECONDS", "1",
                        "CALLBACK_MAX_ATTEMPTS", "3",
                        "CALLBACK_TIMEOUT_SECONDS", "2"))
                .withQueueConcurrency(QUEUE_CONCURRENCY);
        return faults.map(options::withFaults).orElse(options);
    }

    /** Runs {@code plan} on {@code stack}, started with {@link #options}. */
    static Figures run(DevStack stack, Plan plan) throws Exception {
        return new DeliveryRun(stack, plan).run();
    }

    private Figures run() throws Exception {
        Optional<FaultProxy> faults = stack.faults();
        try (CallbackReceiver receiver = new CallbackReceiver();
                SqsClient sqs = LocalResources.sqs(stack.resources().aws())) {
            // The agents are registered before the faults start: a create that answers 503 after its write took
            // effect would be retried by any client into a second agent, which is not what this run measures.
            faults.ifPresent(FaultProxy::stopFaults);
            Map<String, String> agentPaths = registerAgents(receiver);
            faults.ifPresent(FaultProxy::resumeFaults);

            long start = System.nanoTime();
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < plan.events(); i++) {
                bodies.add(event("evt_run_" + i + "_" + start));
            }
            for (int i = 0; i < plan.sentTwice(); i++) {
                bodies.add(bodies.get(i * plan.events() / Math.max(1, plan.sentTwice())));
            }
            String marker = "poison_" + start;
            for (int i = 0; i < plan.poison(); i++) {
                bodies.add(i % 2 == 0 ? "not json " + marker + " " + i : "{\"id\": \"" + marker + "_" + i + "\"}");
            }
            List<String> uids = List.copyOf(agentPaths.keySet());
            Thread readers = Thread.ofVirtual().start(() -> readDuringTheRun(uids));
            Map<String, Long> sentAt = send(sqs, bodies);

            int expected = plan.events() * plan.agents();
            long limit = System.nanoTime() + plan.limit().toNanos();
            while (System.nanoTime() < limit && accepted(receiver, agentPaths).size() < expected) {
                Thread.sleep(100);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            readers.join();
            faults.ifPresent(FaultProxy::stopFaults);

            Map<String, Long> acceptedAt = accepted(receiver, agentPaths);
            List<Double> seconds = new ArrayList<>();
            acceptedAt.forEach((pair, at) -> seconds.add((at - sentAt.get(eventOf(pair))) / 1e9));
            List<JsonValue> executions = settledExecutions(uids);
            return new Figures(
                    expected,
                    acceptedAt.size(),
                    duplicates(receiver, agentPaths),
                    receiver.calls().size(),
                    seconds,
                    apiRequests.get(),
                    api5xx.get(),
                    api500.get(),
                    plan.reads(),
                    readFailures.get(),
                    (int) executions.stream().filter(DeliveryRun::unfinished).count(),
                    executions.size(),
                    plan.poison(),
                    deadLetteredWithReason(sqs, marker),
                    statisticsAddUp(uids),
                    wall);
        }
    }

    /** Registers the plan's agents through the API; their receivers know their secrets. Agent uid to path. */
    private Map<String, String> registerAgents(CallbackReceiver receiver) {
        Map<String, String> paths = new LinkedHashMap<>();
        for (int i = 0; i < plan.agents(); i++) {
            boolean flaky = i < plan.flakyAgents();
            String path = (flaky ? "/flaky/" : "/healthy/") + i;
            if (flaky) {
                receiver.answerEachMessageFirst(path, CallbackReceiver.Answer.json(503, "{\"detail\": \"busy\"}"));
            }
            ApiClient.Response created = call(
                    "POST",
                    "/agents/",
                    "{\"name\": \"run " + i + "\", \"events\": [\"" + EVENT_TYPE + "\"], \"callback_url\": \""
                            + receiver.url(path) + "\"}");
            if (created.status() != 201) {
                throw new IllegalStateException(
                        "Could not register an agent: " + created.status() + " " + created.text());
            }
            receiver.secret(path, created.json().get("secret").asText());
            paths.put(created.json().get("uid").asText(), path);
        }
        return paths;
    }

    private static String event(String id) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        event.put("type", EVENT_TYPE);
        event.put("tenant", TENANT);
        event.put("project", "proj_run");
        event.put("task_type", "classification");
        event.put("task", "task_" + id);
        event.put("occurred_at", "2026-12-03T12:00:00Z");
        event.put("data", Map.of("task_status", "completed"));
        return Json.write(event);
    }

    /** Sends the bodies to the events queue in batches of ten, as a producer would. Each event's first send time. */
    private Map<String, Long> send(SqsClient sqs, List<String> bodies) {
        Map<String, Long> sentAt = new HashMap<>();
        for (int from = 0; from < bodies.size(); from += 10) {
            List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
            long now = System.nanoTime();
            for (int i = from; i < Math.min(bodies.size(), from + 10); i++) {
                String body = bodies.get(i);
                batch.add(SendMessageBatchRequestEntry.builder()
                        .id("m" + i)
                        .messageBody(body)
                        .build());
                Map<String, Object> event = Json.objectOrNull(body);
                if (event != null && event.get("tenant") != null) {
                    sentAt.putIfAbsent((String) event.get("id"), now);
                }
            }
            var answer = sqs.sendMessageBatch(r -> r.queueUrl(stack.queueUrl()).entries(batch));
            if (!answer.failed().isEmpty()) {
                throw new IllegalStateException("The emulator refused events: " + answer.failed());
            }
        }
        return sentAt;
    }

    /** The plan's reads, a quarter of a second apart, round the agents: what a dashboard does during the run. */
    private void readDuringTheRun(List<String> uids) {
        for (int i = 0; i < plan.reads(); i++) {
            try {
                ApiClient.Response answer = call("GET", "/agents/" + uids.get(i % uids.size()) + "/", null);
                if (answer.status() >= 500) {
                    readFailures.incrementAndGet();
                }
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ApiClient.Response call(String method, String path, String body) {
        apiRequests.incrementAndGet();
        ApiClient.Response answer = api.send(method, path, body);
        if (answer.status() >= 500) {
            api5xx.incrementAndGet();
        }
        if (answer.status() == 500) {
            api500.incrementAndGet();
        }
        return answer;
    }

    /** The call of a message that its receiver accepted: the first, or the second of a flaky receiver. */
    private static int acceptingCall(String path) {
        return path.startsWith("/flaky/") ? 2 : 1;
    }

    /**
     * Per pair ({@code agent|event}), when its receiver accepted its callback: the accepting call of the pair's
     * first message.
     */
    private static Map<String, Long> accepted(CallbackReceiver receiver, Map<String, String> agentPaths) {
        Map<String, Long> accepted = new HashMap<>();
        Map<String, Integer> callsOfMessage = new HashMap<>();
        Map<String, String> messageOfPair = new HashMap<>();
        for (CallbackReceiver.Call call : receiver.calls()) {
            String pair = pair(call);
            String message = call.header("webhook-id");
            if (pair == null || !agentPaths.containsValue(call.path())) {
                continue;
            }
            messageOfPair.putIfAbsent(pair, message);
            if (!messageOfPair.get(pair).equals(message)) {
                continue;
            }
            int number = callsOfMessage.merge(message, 1, Integer::sum);
            if (number == acceptingCall(call.path())) {
                accepted.put(pair, call.receivedNanos());
            }
        }
        return accepted;
    }

    /** Calls beyond what each message needed, and every message beyond a pair's first. */
    private static int duplicates(CallbackReceiver receiver, Map<String, String> agentPaths) {
        Map<String, Integer> callsOfMessage = new HashMap<>();
        Map<String, String> pathOfMessage = new HashMap<>();
        Map<String, Set<String>> messagesOfPair = new HashMap<>();
        for (CallbackReceiver.Call call : receiver.calls()) {
            String pair = pair(call);
            if (pair == null || !agentPaths.containsValue(call.path())) {
                continue;
            }
            String message = call.header("webhook-id");
            callsOfMessage.merge(message, 1, Integer::sum);
            pathOfMessage.put(message, call.path());
            messagesOfPair.computeIfAbsent(pair, p -> new HashSet<>()).add(message);
        }
        int duplicates = 0;
        for (var calls : callsOfMessage.entrySet()) {
            duplicates += Math.max(0, calls.getValue() - acceptingCall(pathOfMessage.get(calls.getKey())));
        }
        for (Set<String> messages : messagesOfPair.values()) {
            duplicates += messages.size() - 1;
        }
        return duplicates;
    }

    /** {@code agent|event} of a callback, or null when its body is not one of this run's callbacks. */
    private static String pair(CallbackReceiver.Call call) {
        Map<String, Object> body = Json.objectOrNull(call.body());
        if (body == null || !(body.get("data") instanceof Map<?, ?> data) || data.get("event_id") == null) {
            return null;
        }
        return body.get("agent") + "|" + data.get("event_id");
    }

    private static String eventOf(String pair) {
        return pair.substring(pair.indexOf('|') + 1);
    }

    private static boolean unfinished(JsonValue execution) {
        String status = execution.get("status").asText();
        return status.equals("pending") || status.equals("running");
    }

    /** The agents' executions once none is unfinished, or as they stand after {@link #SETTLE}. */
    private List<JsonValue> settledExecutions(List<String> uids) throws InterruptedException {
        long limit = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            List<JsonValue> all = new ArrayList<>();
            uids.forEach(uid -> all.addAll(executionsOf(uid)));
            if (all.stream().noneMatch(DeliveryRun::unfinished) || System.nanoTime() > limit) {
                return all;
            }
            Thread.sleep(500);
        }
    }

    private List<JsonValue> executionsOf(String uid) {
        List<JsonValue> executions = new ArrayList<>();
        String page = "/agents/" + uid + "/executions/?limit=100";
        while (page != null) {
            ApiClient.Response answer = call("GET", page, null);
            if (answer.status() != 200) {
                throw new IllegalStateException(
                        "Listing executions answered " + answer.status() + ": " + answer.text());
            }
            answer.json().get("results").forEach(executions::add);
            JsonValue next = answer.json().get("next");
            page = next == null || next.isNull() ? null : next.asText();
        }
        return executions;
    }

    /**
     * Whether every agent's {@code execution_stats} (kept from the table's stream) match its executions, within
     * {@link #SETTLE}.
     */
    private boolean statisticsAddUp(List<String> uids) throws InterruptedException {
        long limit = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            boolean all = uids.stream().allMatch(this::statisticsMatch);
            if (all || System.nanoTime() > limit) {
                return all;
            }
            Thread.sleep(500);
        }
    }

    private boolean statisticsMatch(String uid) {
        List<JsonValue> executions = executionsOf(uid);
        JsonValue stats = call("GET", "/agents/" + uid + "/", null).json().get("execution_stats");
        Map<String, Integer> counted = new HashMap<>();
        executions.forEach(e -> counted.merge(e.get("status").asText(), 1, Integer::sum));
        return stats.get("total").asInt() == executions.size()
                && stats.get("success").asInt() == counted.getOrDefault("success", 0)
                && stats.get("failed").asInt() == counted.getOrDefault("failed", 0);
    }

    /** How many of this run's poison messages reached the dead-letter queue with a {@code failure_reason}. */
    private int deadLetteredWithReason(SqsClient sqs, String marker) throws InterruptedException {
        Set<String> found = new HashSet<>();
        long limit = System.nanoTime() + SETTLE.toNanos();
        while (found.size() < plan.poison() && System.nanoTime() < limit) {
            for (Message message : sqs.receiveMessage(r -> r.queueUrl(stack.dlqUrl())
                            .maxNumberOfMessages(10)
                            .messageAttributeNames("All")
                            .waitTimeSeconds(1))
                    .messages()) {
                var reason = message.messageAttributes().get("failure_reason");
                if (message.body().contains(marker)
                        && reason != null
                        && !reason.stringValue().isBlank()) {
                    found.add(message.body());
                }
            }
        }
        return found.size();
    }
}
