package ai.avala.agents.service;

/**
 * What a text field of the API accepts, stated so that openapi.yaml can say exactly the same thing
 * (its {@code Text...} schemas' patterns list these characters): lengths count Unicode code points of the
 * value as sent, as JSON Schema's {@code maxLength} does; a value must have a character that is neither
 * blank nor unsafe; leading and trailing blanks are dropped before it is stored.
 */
public final class TextRules {

    private TextRules() {}

    /**
     * Blank: the space characters of ECMAScript's {@code \s} that are not control characters (the controls
     * are unsafe anyway), plus tab, line feed and carriage return.
     */
    public static boolean isBlank(int c) {
        return c == ' '
                || c == '\t'
                || c == '\n'
                || c == '\r'
                || c == 0x00a0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202f
                || c == 0x205f
                || c == 0x3000
                || c == 0xfeff;
    }

    /**
     * Unsafe: C0 and C1 control characters (a multi-line field may have tabs and line breaks), the
     * bidirectional overrides, isolates and marks that make a name display as something other than what it
     * is, and unpaired surrogates (no text at all; DynamoDB's UTF-8 could not store them).
     */
    public static boolean isUnsafe(int c, boolean multiline) {
        return (c < 0x20 && !(multiline && (c == '\t' || c == '\n' || c == '\r')))
                || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200e
                || c == 0x200f
                || c == 0x061c
                || (c >= 0xd800 && c <= 0xdfff);
    }

    static boolean hasUnsafeCharacters(String value, boolean multiline) {
        return value.codePoints().anyMatch(c -> isUnsafe(c, multiline));
    }

    static boolean isBlank(String value) {
        return value.codePoints().allMatch(TextRules::isBlank);
    }

    static int length(String value) {
        return value.codePointCount(0, value.length());
    }

    /** The value without its leading and trailing blanks. */
    static String strip(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isBlank(value.codePointAt(start))) {
            start += Character.charCount(value.codePointAt(start));
        }
        while (end > start && isBlank(value.codePointBefore(end))) {
            end -= Character.charCount(value.codePointBefore(end));
        }
        return value.substring(start, end);
    }
}
