package ai.avala.agents.json;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed JSON document, read-only: an object, array, string, number, boolean, null, or missing (what
 * {@link #path} gives for an absent member). The accessors read like Jackson's {@code JsonNode}, without
 * jackson-databind (about 1.7 MB and 400 classes a function would load at its first request). Iterating an
 * array gives its elements, an object its values.
 */
public final class JsonValue implements Iterable<JsonValue> {

    private enum Kind {
        OBJECT,
        ARRAY,
        STRING,
        NUMBER,
        BOOLEAN,
        NULL,
        MISSING
    }

    static final JsonValue NULL = new JsonValue(Kind.NULL, null);
    static final JsonValue MISSING = new JsonValue(Kind.MISSING, null);
    static final JsonValue TRUE = new JsonValue(Kind.BOOLEAN, Boolean.TRUE);
    static final JsonValue FALSE = new JsonValue(Kind.BOOLEAN, Boolean.FALSE);

    private final Kind kind;
    private final Object value;

    private JsonValue(Kind kind, Object value) {
        this.kind = kind;
        this.value = value;
    }

    static JsonValue object(Map<String, JsonValue> members) {
        return new JsonValue(Kind.OBJECT, Collections.unmodifiableMap(members));
    }

    static JsonValue array(List<JsonValue> elements) {
        return new JsonValue(Kind.ARRAY, List.copyOf(elements));
    }

    static JsonValue string(String text) {
        return new JsonValue(Kind.STRING, text);
    }

    static JsonValue number(BigDecimal number) {
        return new JsonValue(Kind.NUMBER, number);
    }

    @SuppressWarnings("unchecked")
    private Map<String, JsonValue> members() {
        return kind == Kind.OBJECT ? (Map<String, JsonValue>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    private List<JsonValue> elements() {
        return kind == Kind.ARRAY ? (List<JsonValue>) value : List.of();
    }

    /** The member {@code name} of an object, or null when there is none (or this is not an object). */
    public JsonValue get(String name) {
        return members().get(name);
    }

    /** The element at {@code index} of an array, or null. */
    public JsonValue get(int index) {
        List<JsonValue> elements = elements();
        return index >= 0 && index < elements.size() ? elements.get(index) : null;
    }

    /** The member {@code name}, or a missing value (never null). */
    public JsonValue path(String name) {
        JsonValue member = get(name);
        return member == null ? MISSING : member;
    }

    public boolean has(String name) {
        return members().containsKey(name);
    }

    public boolean hasNonNull(String name) {
        JsonValue member = get(name);
        return member != null && !member.isNull();
    }

    public boolean isObject() {
        return kind == Kind.OBJECT;
    }

    public boolean isArray() {
        return kind == Kind.ARRAY;
    }

    public boolean isTextual() {
        return kind == Kind.STRING;
    }

    public boolean isNumber() {
        return kind == Kind.NUMBER;
    }

    public boolean isBoolean() {
        return kind == Kind.BOOLEAN;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    public boolean isMissingNode() {
        return kind == Kind.MISSING;
    }

    /** The string of a string; null otherwise. */
    public String textValue() {
        return kind == Kind.STRING ? (String) value : null;
    }

    public boolean booleanValue() {
        return kind == Kind.BOOLEAN && (Boolean) value;
    }

    /**
     * A string's text, a number or boolean as written, "null" for null, "" when missing or a container. A number
     * with a large exponent keeps it ({@code 1E+300000000}) rather than being expanded into its digits.
     */
    public String asText() {
        return switch (kind) {
            case STRING -> (String) value;
            case NUMBER -> plainWhenShort((BigDecimal) value);
            case BOOLEAN -> value.toString();
            case NULL -> "null";
            default -> "";
        };
    }

    private static String plainWhenShort(BigDecimal number) {
        return Math.abs((long) number.scale()) <= 64 ? number.toPlainString() : number.toString();
    }

    public String asText(String fallback) {
        return kind == Kind.STRING || kind == Kind.NUMBER || kind == Kind.BOOLEAN ? asText() : fallback;
    }

    public boolean asBoolean() {
        return kind == Kind.BOOLEAN ? (Boolean) value : "true".equals(textValue());
    }

    public boolean canConvertToInt() {
        return isIntegral()
                && ((BigDecimal) value).compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0
                && ((BigDecimal) value).compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0;
    }

    public boolean canConvertToLong() {
        return isIntegral()
                && ((BigDecimal) value).compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
                && ((BigDecimal) value).compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0;
    }

    private boolean isIntegral() {
        return kind == Kind.NUMBER && ((BigDecimal) value).stripTrailingZeros().scale() <= 0;
    }

    public int asInt() {
        return (int) asLong();
    }

    public long asLong() {
        if (kind == Kind.NUMBER) {
            return ((BigDecimal) value).longValue();
        }
        try {
            return kind == Kind.STRING ? Long.parseLong(((String) value).trim()) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public int intValue() {
        return asInt();
    }

    public long longValue() {
        return asLong();
    }

    /** Members of an object, elements of an array; 0 otherwise. */
    public int size() {
        return kind == Kind.OBJECT ? members().size() : elements().size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    public Iterator<String> fieldNames() {
        return members().keySet().iterator();
    }

    public Set<Map.Entry<String, JsonValue>> properties() {
        return members().entrySet();
    }

    @Override
    public Iterator<JsonValue> iterator() {
        return kind == Kind.OBJECT ? members().values().iterator() : elements().iterator();
    }

    /** As plain Java values: Map (in order), List, String, Long or BigDecimal, Boolean, null. */
    public Object toJava() {
        return switch (kind) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                members().forEach((name, member) -> map.put(name, member.toJava()));
                yield map;
            }
            case ARRAY -> elements().stream().map(JsonValue::toJava).toList();
            case NUMBER -> isIntegral() && canConvertToLong() ? (Object) ((BigDecimal) value).longValue() : value;
            case STRING, BOOLEAN -> value;
            default -> null;
        };
    }

    /** An object's members as plain Java values. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return kind == Kind.OBJECT ? (Map<String, Object>) toJava() : Map.of();
    }

    /** Compact JSON. */
    @Override
    public String toString() {
        return kind == Kind.MISSING ? "" : Json.write(this);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JsonValue that && kind == that.kind && java.util.Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, value);
    }
}
