package ai.avala.agents.callback;

/** A callback URL that must not be called; the message is safe to show the agent's owner. */
public final class UnsafeUrlException extends Exception {
    public UnsafeUrlException(String message) {
        super(message, null, false, false);
    }
}
