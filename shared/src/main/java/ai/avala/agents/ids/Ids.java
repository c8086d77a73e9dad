package ai.avala.agents.ids;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Time-ordered, unguessable identifiers (ULIDs: 48 bits of milliseconds, 80 random bits, Crockford
 * base32). Sorting uids sorts by creation time, which gives "newest first" as a key order. Within one
 * millisecond the random part is incremented, so ids from one container stay strictly ordered.
 */
public final class Ids {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    /** Seeded on first use: a function that reads never pays for it. */
    private static final class Random {
        static final SecureRandom SOURCE = new SecureRandom();
    }

    private static final Pattern AGENT_UID = Pattern.compile("agent_[0-9A-HJKMNP-TV-Z]{26}");
    private static final Pattern EXECUTION_UID = Pattern.compile("exec_[0-9A-HJKMNP-TV-Z]{26}");
    private static long lastMillis = -1;
    private static long randomHigh;
    private static long randomLow;

    private Ids() {}

    public static String agentUid() {
        return "agent_" + ulid(System.currentTimeMillis());
    }

    /** {@code agent_} and a ULID as {@link #agentUid()} makes them. */
    public static boolean isAgentUid(String value) {
        return value != null && AGENT_UID.matcher(value).matches();
    }

    /** {@code exec_} and a ULID as {@link #executionUid()} makes them. */
    public static boolean isExecutionUid(String value) {
        return value != null && EXECUTION_UID.matcher(value).matches();
    }

    public static String executionUid() {
        return "exec_" + ulid(System.currentTimeMillis());
    }

    /**
     * The uid of the execution of one (event, agent): time-ordered by the event's time, and the same for
     * every copy of the event, so that recording it twice is one conditional write that finds it there.
     */
    public static String executionUid(long eventMillis, String tenant, String eventId, String agentUid) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((tenant + '\n' + eventId + '\n' + agentUid)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 5; i++) {
            high = (high << 8) | (digest[i] & 0xff);
            low = (low << 8) | (digest[i + 5] & 0xff);
        }
        char[] out = new char[26];
        encode(Math.max(0, eventMillis) & 0xFFFFFFFFFFFFL, out, 0, 10);
        encode(high, out, 10, 8);
        encode(low, out, 18, 8);
        return "exec_" + new String(out);
    }

    /**
     * The lowest and highest execution uids of events at {@code millis} (a key range of the executions whose
     * event's time is in a window: uids are ordered by it).
     */
    public static String lowestExecutionUid(long millis) {
        char[] out = new char[26];
        encode(Math.max(0, millis) & 0xFFFFFFFFFFFFL, out, 0, 10);
        java.util.Arrays.fill(out, 10, 26, ALPHABET[0]);
        return "exec_" + new String(out);
    }

    /** See {@link #lowestExecutionUid(long)}. */
    public static String highestExecutionUid(long millis) {
        char[] out = new char[26];
        encode(Math.max(0, millis) & 0xFFFFFFFFFFFFL, out, 0, 10);
        java.util.Arrays.fill(out, 10, 26, ALPHABET[31]);
        return "exec_" + new String(out);
    }

    public static synchronized String ulid(long millis) {
        if (millis <= lastMillis) {
            millis = lastMillis;
            randomLow = (randomLow + 1) & 0xFFFFFFFFFFL;
            if (randomLow == 0) {
                randomHigh = (randomHigh + 1) & 0xFFFFFFFFFFL;
            }
        } else {
            lastMillis = millis;
            randomHigh = Random.SOURCE.nextLong() & 0xFFFFFFFFFFL;
            randomLow = Random.SOURCE.nextLong() & 0xFFFFFFFFFFL;
        }
        char[] out = new char[26];
        encode(millis, out, 0, 10);
        encode(randomHigh, out, 10, 8);
        encode(randomLow, out, 18, 8);
        return new String(out);
    }

    private static void encode(long value, char[] out, int offset, int length) {
        for (int i = offset + length - 1; i >= offset; i--) {
            out[i] = ALPHABET[(int) (value & 31)];
            value >>>= 5;
        }
    }
}
