package ai.avala.agents.model;

import java.time.Instant;

/** The signing secret an agent had before its last rotation, and until when callbacks are still signed with it too. */
public record PreviousSecret(String secret, Instant expiresAt) {

    public boolean validAt(Instant now) {
        return now.isBefore(expiresAt);
    }
}
