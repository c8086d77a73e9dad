package ai.avala.agents.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** The one JSON mapper of the project. Objects are written from explicit maps, never by reflection on domain types. */
public final class Json {

    /** The deepest nesting any JSON read here may have (requests, events, receivers' answers). */
    public static final int MAX_DEPTH = 100;

    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Value cannot be written as JSON", e);
        }
    }

    /** Parses a JSON document; throws {@link MalformedJsonException} with a message safe to show a caller. */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("Request body is empty.");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new MalformedJsonException("JSON is nested deeper than " + MAX_DEPTH + " levels.");
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            throw new MalformedJsonException(location == null ? "Malformed JSON."
                    : "Malformed JSON at line " + location.getLineNr() + ", column " + location.getColumnNr() + ".");
        }
    }

    /** A JSON object as a map, or null when the text is not a JSON object. */
    public static Map<String, Object> objectOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            return node != null && node.isObject() ? MAPPER.convertValue(node, MAP) : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    public static Map<String, Object> toMap(JsonNode node) {
        return MAPPER.convertValue(node, MAP);
    }

    public static final class MalformedJsonException extends RuntimeException {
        public MalformedJsonException(String message) {
            super(message);
        }
    }
}
