package ai.avala.agents.local.stack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command line of {@code local/run}. */
public record Options(
        int port,
        String awsEndpoint,
        Map<String, String> apiKeys,
        Path readyFile,
        boolean allowLocalCallbacks,
        Path template) {

    public static final String USAGE = """
            usage: local/run [--port N] [--aws-endpoint URL] [--api-key TENANT=KEY]... [--ready-file PATH]
                             [--allow-local-callbacks] [--template PATH]
              --port N                 API port on 127.0.0.1 (default 3000; 0 picks a free one)
              --aws-endpoint URL       use this running AWS emulator instead of starting moto
              --api-key TENANT=KEY     accept KEY for TENANT (repeatable; default: one generated key)
              --ready-file PATH        when ready, write {api_url, aws_endpoint, region, queue_url, dlq_url, api_keys}
              --allow-local-callbacks  let callbacks reach http:// and loopback receivers
              --template PATH          the SAM template to serve (default: ./template.yaml or above)
            """;

    public static Options parse(String[] args) {
        int port = 3000;
        String endpoint = null;
        Map<String, String> keys = new LinkedHashMap<>();
        Path ready = null;
        boolean allowLocal = false;
        Path template = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--aws-endpoint" -> endpoint = value(args, ++i, arg);
                case "--api-key" -> {
                    String pair = value(args, ++i, arg);
                    int eq = pair.indexOf('=');
                    if (eq <= 0 || eq == pair.length() - 1) {
                        throw new IllegalArgumentException("--api-key takes TENANT=KEY");
                    }
                    keys.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                case "--ready-file" -> ready = Path.of(value(args, ++i, arg));
                case "--allow-local-callbacks" -> allowLocal = true;
                case "--template" -> template = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("Unknown option " + arg);
            }
        }
        return new Options(port, endpoint, keys, ready, allowLocal, template);
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port takes a number from 0 to 65535");
        }
    }
}
