package ai.avala.agents.callback;

import ai.avala.agents.json.Json;
import ai.avala.agents.log.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Sends one signed callback: checks and pins the URL, builds the contract's envelope
 * ({@code id, type, timestamp, agent, data}), signs it per Standard Webhooks and posts it.
 * Never throws for the receiver's faults: every way a call can go wrong is a {@link CallbackOutcome}.
 */
public final class CallbackDelivery implements CallbackSender {

    /** At most this much of a receiver's answer is kept (and stored as the execution's response). */
    public static final int MAX_RESPONSE_BYTES = 20 * 1024;

    private static final Log LOG = Log.of(CallbackDelivery.class);
    private final UrlGuard guard;
    private final CallbackHttpClient http;
    private final Clock clock;

    public CallbackDelivery(UrlGuard guard, CallbackHttpClient http, Clock clock) {
        this.guard = guard;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public CallbackOutcome send(
            String callbackUrl,
            List<String> secrets,
            String executionUid,
            String eventType,
            String agentUid,
            Map<String, Object> data) {
        return deliver(callbackUrl, secrets, executionUid, eventType, agentUid, data, false);
    }

    @Override
    public CallbackOutcome sendTest(
            String callbackUrl,
            List<String> secrets,
            String executionUid,
            String eventType,
            String agentUid,
            Map<String, Object> data) {
        return deliver(callbackUrl, secrets, executionUid, eventType, agentUid, data, true);
    }

    private CallbackOutcome deliver(
            String callbackUrl,
            List<String> secrets,
            String executionUid,
            String eventType,
            String agentUid,
            Map<String, Object> data,
            boolean test) {
        // One deadline for the whole call, the resolution of its host included.
        long start = System.nanoTime();
        UrlGuard.Target target;
        try {
            target = guard.resolve(callbackUrl, http.timeout());
        } catch (UnsafeUrlException | CallbackFailedException e) {
            return new CallbackOutcome.Unanswered(e.getMessage());
        }
        Instant now = clock.instant();
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("id", executionUid);
        envelope.put("type", eventType);
        envelope.put("timestamp", ai.avala.agents.json.Timestamps.format(now));
        envelope.put("agent", agentUid);
        envelope.put("data", data);
        if (test) {
            envelope.put("test", true);
        }
        String body = Json.write(envelope);
        long seconds = now.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", executionUid);
        headers.put("webhook-timestamp", Long.toString(seconds));
        // Standard Webhooks: space-separated signatures, any one of which a receiver may verify.
        headers.put(
                "webhook-signature",
                secrets.stream()
                        .map(secret -> CallbackSigner.sign(secret, executionUid, seconds, body))
                        .collect(Collectors.joining(" ")));
        try {
            Duration left = http.timeout().minusNanos(System.nanoTime() - start);
            return toOutcome(http.post(target, headers, body, left));
        } catch (CallbackFailedException e) {
            return new CallbackOutcome.Unanswered(e.getMessage());
        } catch (RuntimeException e) {
            // Nothing a receiver sends may fail a queue message or an API request: this is a failed attempt too.
            LOG.warn("Callback to agent " + agentUid + " failed unexpectedly", e);
            return new CallbackOutcome.Unanswered("Callback failed unexpectedly.");
        }
    }

    private static CallbackOutcome toOutcome(HttpReply reply) {
        Map<String, Object> json = reply.truncated() || reply.body() == null ? null : Json.objectOrNull(reply.body());
        int status = reply.status();
        if (status >= 200 && status < 300) {
            return new CallbackOutcome.Succeeded(status, json);
        }
        String error = status >= 300 && status < 400
                ? "Callback answered HTTP " + status + " (a redirect); redirects are not followed."
                : "Callback answered HTTP " + status + ".";
        return new CallbackOutcome.Refused(status, json, error, parseRetryAfter(reply.header("retry-after")));
    }

    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Instant at = java.time.ZonedDateTime.parse(
                                value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return Duration.ofSeconds(
                        Math.max(0, at.getEpochSecond() - Instant.now().getEpochSecond()));
            } catch (java.time.format.DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
