package ai.avala.agents.errors;

/** A page cursor that this service did not issue for this tenant, list and filter (or altered). */
public final class InvalidCursorException extends InvalidInputException {
    public InvalidCursorException() {
        super("Invalid cursor.");
    }
}
