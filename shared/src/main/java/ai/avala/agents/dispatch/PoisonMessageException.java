package ai.avala.agents.dispatch;

/** A queue message that can never be processed; the message says why, for the dead-letter record. */
public final class PoisonMessageException extends Exception {

    private final boolean outsideCatalog;

    public PoisonMessageException(String reason) {
        this(reason, false);
    }

    /** {@code outsideCatalog}: a readable event that the event catalog refuses (unknown type, or its schema). */
    public PoisonMessageException(String reason, boolean outsideCatalog) {
        super(reason, null, false, false);
        this.outsideCatalog = outsideCatalog;
    }

    /** Whether a producer sent a readable event the catalog refuses (counted as {@code InvalidEvents}). */
    public boolean outsideCatalog() {
        return outsideCatalog;
    }
}
