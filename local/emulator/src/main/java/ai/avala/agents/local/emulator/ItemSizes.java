package ai.avala.agents.local.emulator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The size of a DynamoDB item as DynamoDB bills it (the "Item sizes and formats" rules of its developer guide):
 * each attribute's name in UTF-8 plus its value; a string in UTF-8, a number about one byte per two significant
 * digits plus one, a binary its bytes, a boolean or null one byte, a list or map 3 bytes plus its elements (and
 * one byte each). A write consumes one unit per started 1 KB of the larger of the item before and after, a
 * strongly consistent read one unit per started 4 KB (an eventually consistent one half of that).
 */
public final class ItemSizes {

    public static final int WRITE_UNIT_BYTES = 1024;
    public static final int READ_UNIT_BYTES = 4096;

    private ItemSizes() {}

    public static long of(Map<String, AttributeValue> item) {
        if (item == null) {
            return 0;
        }
        long size = 0;
        for (var attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + value(attribute.getValue());
        }
        return size;
    }

    /** Write units of a write whose item measures {@code bytes} (at least one). */
    public static long writeUnits(long bytes) {
        return Math.max(1, (bytes + WRITE_UNIT_BYTES - 1) / WRITE_UNIT_BYTES);
    }

    /** Read units of a read returning {@code bytes} (at least one unit, halved when eventually consistent). */
    public static double readUnits(long bytes, boolean consistent) {
        long units = Math.max(1, (bytes + READ_UNIT_BYTES - 1) / READ_UNIT_BYTES);
        return consistent ? units : units / 2.0;
    }

    static long value(AttributeValue value) {
        if (value == null) {
            return 0;
        }
        return switch (value.type()) {
            case S -> utf8(value.s());
            case N -> number(value.n());
            case B -> bytes(value.b());
            case BOOL, NUL -> 1;
            case SS -> value.ss().stream().mapToLong(ItemSizes::utf8).sum();
            case NS -> value.ns().stream().mapToLong(ItemSizes::number).sum();
            case BS -> value.bs().stream().mapToLong(ItemSizes::bytes).sum();
            case L -> 3 + list(value.l());
            case M -> 3 + map(value.m());
            default -> 0;
        };
    }

    private static long list(List<AttributeValue> values) {
        return values.stream().mapToLong(v -> 1 + value(v)).sum();
    }

    private static long map(Map<String, AttributeValue> values) {
        return values.entrySet().stream()
                .mapToLong(e -> 1 + utf8(e.getKey()) + value(e.getValue()))
                .sum();
    }

    private static long number(String n) {
        String digits = new BigDecimal(n).unscaledValue().abs().toString().replaceAll("0+$", "");
        return Math.min(21, (Math.max(1, digits.length()) + 1) / 2 + 1);
    }

    private static long bytes(SdkBytes bytes) {
        return bytes == null ? 0 : bytes.asByteArray().length;
    }

    private static long utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
