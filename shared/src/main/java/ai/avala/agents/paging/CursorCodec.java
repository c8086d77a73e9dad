package ai.avala.agents.paging;

import ai.avala.agents.errors.InvalidCursorException;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, URL-safe, tamper-proof page cursors. A cursor carries the last key read and is bound by an
 * HMAC to the scope it was issued for (tenant, list, filter): a forged, altered or foreign cursor is a
 * 400, never a read of another scope.
 */
public final class CursorCodec {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private final Supplier<String> secret;
    private volatile SecretKeySpec key;

    public CursorCodec(String secret) {
        this(() -> secret);
    }

    /**
     * With the signing secret read on first use (from Secrets Manager in a deployment), so that a request
     * that issues and reads no cursor never waits for it.
     */
    public CursorCodec(Supplier<String> secret) {
        this.secret = secret;
    }

    private SecretKeySpec key() {
        SecretKeySpec current = key;
        if (current == null) {
            String value = secret.get();
            if (value == null || value.length() < 16) {
                throw new IllegalStateException("Cursor signing secret must be at least 16 characters");
            }
            current = new SecretKeySpec(value.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
            key = current;
        }
        return current;
    }

    public String encode(String scope, Map<String, String> lastKey) {
        byte[] payload = Json.write(lastKey).getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(scope, payload));
    }

    public Map<String, String> decode(String scope, String cursor) {
        int dot = cursor.indexOf('.');
        if (cursor.length() > 2048 || dot <= 0) {
            throw invalid();
        }
        try {
            byte[] payload = DECODER.decode(cursor.substring(0, dot));
            byte[] signature = DECODER.decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, mac(scope, payload))) {
                throw invalid();
            }
            JsonValue node = Json.parse(new String(payload, StandardCharsets.UTF_8));
            Map<String, String> key = new LinkedHashMap<>();
            node.properties()
                    .forEach(entry -> key.put(entry.getKey(), entry.getValue().asText()));
            return key;
        } catch (IllegalArgumentException | Json.MalformedJsonException e) {
            throw invalid();
        }
    }

    private byte[] mac(String scope, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            mac.update(scope.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static InvalidCursorException invalid() {
        return new InvalidCursorException();
    }
}
