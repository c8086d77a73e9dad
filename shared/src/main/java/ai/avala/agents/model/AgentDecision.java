package ai.avala.agents.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an agent decided about a labeling task: in its callback's answer ({@code {"action": "approve"}}) or,
 * in pull mode, in {@code POST /agent-actions/}. An execution records it as its {@code action}.
 */
public enum AgentDecision {
    APPROVE,
    REJECT,
    FLAG,
    SKIP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AgentDecision> fromWire(Object value) {
        return Arrays.stream(values())
                .filter(decision -> decision.wire().equals(value))
                .findFirst();
    }

    /** "approve, flag, reject, skip". */
    public static String choices() {
        return Arrays.stream(values()).map(AgentDecision::wire).sorted().collect(Collectors.joining(", "));
    }
}
