package ai.avala.agents.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record ({@code LEVEL logger: message}, an exception folded onto the same line), so
 * that CloudWatch shows one event per record, at the level of {@code LOG_LEVEL}
 * (DEBUG, INFO, WARN, ERROR; default INFO).
 */
public final class Logs {

    private static volatile boolean configured;

    private Logs() {
    }

    public static synchronized void configure(Environment env) {
        if (configured) {
            return;
        }
        Level level = switch (env.optional("LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT)) {
            case "DEBUG", "TRACE" -> Level.FINE;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR" -> Level.SEVERE;
            default -> Level.INFO;
        };
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(level);
        console.setFormatter(new OneLine());
        root.addHandler(console);
        root.setLevel(level);
        configured = true;
    }

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            StringBuilder line = new StringBuilder()
                    .append(record.getLevel().getName()).append(' ')
                    .append(logger.substring(logger.lastIndexOf('.') + 1)).append(": ")
                    .append(formatMessage(record));
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(" | ").append(trace.toString().strip().replaceAll("\\s*\\R\\s*", " | "));
            }
            return line.append(System.lineSeparator()).toString();
        }
    }
}
