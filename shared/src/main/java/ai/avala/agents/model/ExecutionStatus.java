package ai.avala.agents.model;

import java.util.Locale;
import java.util.Optional;

public enum ExecutionStatus {
    PENDING,
    RUNNING,
    SUCCESS,
    FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ExecutionStatus> fromWire(String value) {
        for (ExecutionStatus status : values()) {
            if (status.wire().equals(value)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
