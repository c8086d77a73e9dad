package ai.avala.agents.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.thirdparty.jackson.core.JsonFactory;
import software.amazon.awssdk.thirdparty.jackson.core.JsonGenerator;
import software.amazon.awssdk.thirdparty.jackson.core.JsonLocation;
import software.amazon.awssdk.thirdparty.jackson.core.JsonParser;
import software.amazon.awssdk.thirdparty.jackson.core.JsonProcessingException;
import software.amazon.awssdk.thirdparty.jackson.core.JsonToken;
import software.amazon.awssdk.thirdparty.jackson.core.StreamReadConstraints;
import software.amazon.awssdk.thirdparty.jackson.core.exc.StreamConstraintsException;

/**
 * The project's JSON, on jackson-core's streaming parser and generator alone (the copy the AWS SDK ships and
 * loads anyway, {@code software.amazon.awssdk.thirdparty.jackson.core}): documents are read into
 * {@link JsonValue} trees and written from plain Java values (maps, lists, strings, numbers, booleans,
 * null, {@link JsonValue}), never by reflection on domain types. Nesting deeper than {@link #MAX_DEPTH}
 * and duplicate member names are refused.
 */
public final class Json {

    /** The deepest nesting any JSON read here may have (requests, events, receivers' answers). */
    public static final int MAX_DEPTH = 100;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();

    private Json() {}

    /** Parses a JSON document; throws {@link MalformedJsonException} with a message safe to show a caller. */
    public static JsonValue parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            return read(parser);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /** Parses a JSON document from a stream (a Lambda event). */
    public static JsonValue parse(InputStream in) {
        try (JsonParser parser = FACTORY.createParser(in)) {
            return read(parser);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    private static JsonValue read(JsonParser parser) throws IOException {
        if (parser.nextToken() == null) {
            throw new MalformedJsonException("Request body is empty.");
        }
        JsonValue value = value(parser);
        if (parser.nextToken() != null) {
            throw new MalformedJsonException("Malformed JSON: more than one value.");
        }
        return value;
    }

    private static JsonValue value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> {
                Map<String, JsonValue> members = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    if (members.containsKey(name)) {
                        throw new MalformedJsonException("Duplicate member name" + at(parser.currentTokenLocation()));
                    }
                    parser.nextToken();
                    members.put(name, value(parser));
                }
                yield JsonValue.object(members);
            }
            case START_ARRAY -> {
                List<JsonValue> elements = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    elements.add(value(parser));
                }
                yield JsonValue.array(elements);
            }
            case VALUE_STRING -> JsonValue.string(parser.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> JsonValue.number(parser.getDecimalValue());
            case VALUE_TRUE -> JsonValue.TRUE;
            case VALUE_FALSE -> JsonValue.FALSE;
            case VALUE_NULL -> JsonValue.NULL;
            default -> throw new MalformedJsonException("Malformed JSON.");
        };
    }

    private static MalformedJsonException malformed(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return new MalformedJsonException("JSON is nested deeper than " + MAX_DEPTH + " levels.");
        }
        if (e instanceof JsonProcessingException processing && processing.getLocation() != null) {
            return new MalformedJsonException("Malformed JSON" + at(processing.getLocation()));
        }
        return new MalformedJsonException("Malformed JSON.");
    }

    private static String at(JsonLocation location) {
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr() + ".";
    }

    /** A JSON object as plain Java values, or null when the text is not a JSON object. */
    public static Map<String, Object> objectOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonValue value = parse(text);
            return value.isObject() ? value.toMap() : null;
        } catch (MalformedJsonException e) {
            return null;
        }
    }

    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            write(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes {@code value} to a stream (a Lambda response), leaving the stream open. */
    public static void write(OutputStream out, Object value) throws IOException {
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            write(generator, value);
        }
    }

    private static void write(JsonGenerator generator, Object value) throws IOException {
        switch (value) {
            case null -> generator.writeNull();
            case String text -> generator.writeString(text);
            case Boolean bool -> generator.writeBoolean(bool);
            case Integer number -> generator.writeNumber(number);
            case Long number -> generator.writeNumber(number);
            case java.math.BigDecimal number -> generator.writeNumber(number);
            case Number number -> generator.writeNumber(number.toString());
            case JsonValue json -> write(generator, json.isMissingNode() ? null : json.toJava());
            case Map<?, ?> map -> {
                generator.writeStartObject();
                for (var entry : map.entrySet()) {
                    generator.writeFieldName(String.valueOf(entry.getKey()));
                    write(generator, entry.getValue());
                }
                generator.writeEndObject();
            }
            case Collection<?> items -> {
                generator.writeStartArray();
                for (Object item : items) {
                    write(generator, item);
                }
                generator.writeEndArray();
            }
            default ->
                throw new IllegalArgumentException(
                        "Cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    public static final class MalformedJsonException extends RuntimeException {
        public MalformedJsonException(String message) {
            super(message, null, false, false);
        }
    }
}
