package ai.avala.agents.local.stack;

import ai.avala.agents.log.Log;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What the local stack's functions cost per invocation, for the cost model of {@code local/bench}: while metering,
 * invocations of every function run one at a time, each measured by the process's CPU time (less what the idle
 * stack spends meanwhile: its pollers, measured before) and by the bytes of the log and metric (EMF) lines it
 * writes. Off unless {@link #start()} was called: the stack then invokes concurrently, as Lambda does.
 */
final class InvocationMeter {

    /** One function's invocations so far. */
    record Usage(long invocations, long records, double cpuMillis, double wallMillis, long logBytes, long emfBytes) {

        Usage plus(Usage other) {
            return new Usage(
                    invocations + other.invocations,
                    records + other.records,
                    cpuMillis + other.cpuMillis,
                    wallMillis + other.wallMillis,
                    logBytes + other.logBytes,
                    emfBytes + other.emfBytes);
        }

        Usage minus(Usage other) {
            return new Usage(
                    invocations - other.invocations,
                    records - other.records,
                    cpuMillis - other.cpuMillis,
                    wallMillis - other.wallMillis,
                    logBytes - other.logBytes,
                    emfBytes - other.emfBytes);
        }

        static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0);
    }

    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock(true);
    private static final Map<String, Usage> USAGE = new ConcurrentHashMap<>();
    private static volatile boolean metering;
    private static volatile double idleCpuPerWallMilli;
    private static long logBytes;
    private static long emfBytes;

    private InvocationMeter() {}

    /** Meters from now on: the functions' lines are counted (and dropped), invocations run one at a time. */
    static synchronized void start() {
        Log.writeTo(new PrintStream(new LineCounter(), true, StandardCharsets.UTF_8));
        metering = true;
    }

    /** Measures the idle stack's CPU time over {@code millis}, taken off every invocation's from now on. */
    static void measureIdle(long millis) throws InterruptedException {
        ONE_AT_A_TIME.lock();
        try {
            long cpu = processCpuNanos();
            long wall = System.nanoTime();
            Thread.sleep(millis);
            idleCpuPerWallMilli = (processCpuNanos() - cpu) / (double) (System.nanoTime() - wall);
        } finally {
            ONE_AT_A_TIME.unlock();
        }
    }

    static boolean metering() {
        return metering;
    }

    /** Each function's usage so far, by the function's logical id. */
    static Map<String, Usage> usage() {
        return new TreeMap<>(USAGE);
    }

    /** The records of an invocation's event: its SQS messages or stream records, else 1 (an API request). */
    static int records(byte[] input) {
        if (!metering) {
            return 1;
        }
        String event = new String(input, StandardCharsets.UTF_8);
        int messages = count(event, "\"messageId\"");
        return messages > 0 ? messages : Math.max(1, count(event, "\"eventID\""));
    }

    private static int count(String text, String needle) {
        int found = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            found++;
        }
        return found;
    }

    static <T> T invoke(String function, int records, Supplier<T> invocation) {
        if (!metering) {
            return invocation.get();
        }
        ONE_AT_A_TIME.lock();
        try {
            long cpu = processCpuNanos();
            long wall = System.nanoTime();
            long logs;
            long emf;
            synchronized (InvocationMeter.class) {
                logs = logBytes;
                emf = emfBytes;
            }
            try {
                return invocation.get();
            } finally {
                long wallNanos = System.nanoTime() - wall;
                double cpuMillis = Math.max(0, (processCpuNanos() - cpu) - idleCpuPerWallMilli * wallNanos) / 1e6;
                long loggedBytes;
                long emfWritten;
                synchronized (InvocationMeter.class) {
                    loggedBytes = logBytes - logs;
                    emfWritten = emfBytes - emf;
                }
                USAGE.merge(
                        function,
                        new Usage(1, records, cpuMillis, wallNanos / 1e6, loggedBytes, emfWritten),
                        Usage::plus);
            }
        } finally {
            ONE_AT_A_TIME.unlock();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Counts the bytes of each line written (and its newline), EMF lines apart; writes nothing. */
    private static final class LineCounter extends OutputStream {
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                synchronized (InvocationMeter.class) {
                    if (text.contains("\"_aws\"")) {
                        emfBytes += line.size();
                    } else {
                        logBytes += line.size();
                    }
                }
                line.reset();
            }
        }
    }
}
