package ai.avala.agents.errors;

/** The change lost to another one, or contradicts what was decided already; the message says which. */
public final class ConflictException extends RuntimeException {
    public ConflictException(String detail) {
        super(detail, null, false, false);
    }
}
