package ai.avala.agents.api;

/** {@code limit} (1..100, default 20) and {@code cursor} of a list request. */
public record PageRequest(int limit, String cursor) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    public static PageRequest from(ApiRequest request) {
        String limitText = request.query("limit");
        int limit = DEFAULT_LIMIT;
        if (limitText != null && !limitText.isBlank()) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiException.invalid("Invalid limit: must be an integer from 1 to " + MAX_LIMIT + ".",
                        java.util.Map.of("limit", java.util.List.of("Must be an integer from 1 to " + MAX_LIMIT + ".")));
            }
        }
        String cursor = request.query("cursor");
        return new PageRequest(limit, cursor == null || cursor.isBlank() ? null : cursor);
    }
}
