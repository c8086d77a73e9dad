package ai.avala.agents.catalog;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The catalog's JSON Schemas, applied to events at intake (the matching stage only: it carries the validator, the
 * API functions check names alone). An event of a type the catalog does not know, or that its type's schema refuses,
 * is never delivered: the reason names the field and the rule. Each type's schema is compiled once per container.
 */
public final class EventSchemas {

    /** The most schema errors named in one reason. */
    private static final int REASONS = 3;

    private final EventCatalog catalog;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    static {
        // The validator logs through SLF4J, and the functions bundle no SLF4J provider (they write their own lines):
        // without this, SLF4J prints three lines of warnings about it at every cold start.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }

    public EventSchemas(EventCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Why {@code envelope} (the event as producers send it, unwrapped from SNS or EventBridge) of type {@code type}
     * may not be delivered; empty when it may.
     */
    public Optional<String> problem(String type, JsonValue envelope) {
        if (!catalog.contains(type)) {
            return Optional.of("Event type \"" + type + "\" is not in the event catalog (GET /event-types/).");
        }
        Schema schema = compiled.computeIfAbsent(
                type,
                name -> registry.getSchema(
                        Json.write(catalog.type(name).orElseThrow().schema().toJava()), InputFormat.JSON));
        List<com.networknt.schema.Error> errors = schema.validate(Json.write(envelope.toJava()), InputFormat.JSON);
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Event does not match the schema of \"" + type + "\": "
                + errors.stream().limit(REASONS).map(EventSchemas::describe).collect(Collectors.joining("; "))
                + (errors.size() > REASONS ? "; and " + (errors.size() - REASONS) + " more" : "")
                + ".");
    }

    /** Compiles every type's schema and checks its example against it; throws if one does not pass. */
    public void warmUp() {
        for (EventType type : catalog.types()) {
            problem(type.name(), type.example()).ifPresent(problem -> {
                throw new IllegalStateException("The catalog's example of " + type.name() + " fails: " + problem);
            });
        }
    }

    /** The {@code event_payload} fields the catalog maps from an event of {@code type} (none for an unknown type). */
    public Map<String, Object> payloadFields(String type, JsonValue envelope) {
        return catalog.type(type).map(known -> known.payloadFields(envelope)).orElse(Map.of());
    }

    /** The field (a JSON path into the event) and the rule it breaks. */
    private static String describe(com.networknt.schema.Error error) {
        String location = String.valueOf(error.getInstanceLocation());
        String message = location.isEmpty() ? error.getMessage() : location + ": " + error.getMessage();
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
    }
}
