package ai.avala.agents.service;

import ai.avala.agents.json.Timestamps;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The new secret, shown once, and until when the previous one still signs callbacks (null: it no longer does). */
public record RotatedSecret(String secret, Instant previousSecretExpiresAt) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("secret", secret);
        json.put("previous_secret_expires_at", Timestamps.format(previousSecretExpiresAt));
        return json;
    }
}
