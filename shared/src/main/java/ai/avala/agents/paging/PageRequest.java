package ai.avala.agents.paging;

/** {@code limit} (1..100, default 20) and {@code cursor} of a list request (see {@code ApiRequest.page()}). */
public record PageRequest(int limit, String cursor) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;
}
