package ai.avala.agents.store;

import java.util.List;
import java.util.Map;

/** Items read by a store query and the key to continue after them (null when nothing follows). */
public record KeyedPage<T>(List<T> items, Map<String, String> lastKey) {
    public KeyedPage {
        items = List.copyOf(items);
    }
}
