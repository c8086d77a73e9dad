package ai.avala.agents.model;

import java.util.List;

/** One page read from a store, with the token to read the next one (null on the last page). */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
