package ai.avala.agents.errors;

/** What was asked for does not exist, or is not the caller's (the two are never told apart). */
public final class NotFoundException extends RuntimeException {
    public NotFoundException() {
        super("Not found.", null, false, false);
    }
}
