package ai.avala.agents.paging;

import java.util.OptionalInt;

/**
 * The {@code limit} (1..100, {@link #DEFAULT_LIMIT} when absent) and {@code cursor} of a list request (see
 * {@code ApiRequest.page()}).
 */
public record PageRequest(OptionalInt requestedLimit, String cursor) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public static PageRequest of(int limit, String cursor) {
        return new PageRequest(OptionalInt.of(limit), cursor);
    }

    public int limit() {
        return requestedLimit.orElse(DEFAULT_LIMIT);
    }
}
