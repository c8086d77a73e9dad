package ai.avala.agents.dispatch;

/** A queue message that can never be processed; the message says why, for the dead-letter record. */
public final class PoisonMessageException extends Exception {
    public PoisonMessageException(String reason) {
        super(reason, null, false, false);
    }
}
