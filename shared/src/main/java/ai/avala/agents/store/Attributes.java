package ai.avala.agents.store;

import ai.avala.agents.json.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Conversions between Java values and DynamoDB attribute values: {@code string}, {@code number}, ... write one;
 * {@code readString}, {@code readNumber}, ... read one from an item. Nulls are stored as NULL.
 */
final class Attributes {

    private static final AttributeValue NULL = AttributeValue.fromNul(true);

    private Attributes() {}

    static AttributeValue string(String value) {
        return value == null ? NULL : AttributeValue.fromS(value);
    }

    static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue bool(boolean value) {
        return AttributeValue.fromBool(value);
    }

    static AttributeValue stringList(List<String> values) {
        return AttributeValue.fromL(values.stream().map(AttributeValue::fromS).toList());
    }

    /** Fixed width, to the millisecond (as the API writes them), so that stored timestamps sort as text. */
    static AttributeValue timestamp(Instant instant) {
        return string(Timestamps.format(instant));
    }

    static String readString(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.s() == null ? null : value.s();
    }

    static long readNumber(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    static boolean readBool(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value != null && Boolean.TRUE.equals(value.bool());
    }

    static List<String> readStrings(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasL()
                ? List.of()
                : value.l().stream().map(AttributeValue::s).toList();
    }

    static Instant readInstant(Map<String, AttributeValue> item, String name) {
        String text = readString(item, name);
        return text == null ? null : Instant.parse(text);
    }

    static Map<String, AttributeValue> keyOf(Map<String, String> plain) {
        var out = new java.util.LinkedHashMap<String, AttributeValue>();
        plain.forEach((name, value) -> out.put(name, AttributeValue.fromS(value)));
        return out;
    }
}
