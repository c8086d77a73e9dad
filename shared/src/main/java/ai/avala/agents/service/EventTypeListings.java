package ai.avala.agents.service;

import ai.avala.agents.catalog.EventCatalog;
import ai.avala.agents.catalog.EventType;
import ai.avala.agents.errors.InvalidCursorException;
import ai.avala.agents.model.Page;
import ai.avala.agents.paging.PageRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The event catalog, page by page in catalog order (the same for every tenant). The cursor is the last name of the
 * page before: the catalog is public within the service, so it needs no signature.
 */
public final class EventTypeListings {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    private final EventCatalog catalog;

    public EventTypeListings(EventCatalog catalog) {
        this.catalog = catalog;
    }

    public Page<EventType> page(PageRequest request) {
        String after = request.cursor();
        if (after != null && (after.length() > 100 || !NAME.matcher(after).matches())) {
            throw new InvalidCursorException();
        }
        List<String> names = catalog.names().stream()
                .filter(name -> after == null || name.compareTo(after) > 0)
                .toList();
        List<EventType> types = names.stream()
                .limit(request.limit())
                .map(name -> catalog.type(name).orElseThrow())
                .toList();
        return new Page<>(
                types,
                names.size() > request.limit() ? types.get(types.size() - 1).name() : null);
    }

    /** An event type as the API shows it. */
    public static Map<String, Object> view(EventType type) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", type.name());
        view.put("description", type.description());
        view.put("deprecated", type.deprecated());
        view.put("schema", type.schema().toJava());
        view.put("example", type.example().toJava());
        return view;
    }
}
