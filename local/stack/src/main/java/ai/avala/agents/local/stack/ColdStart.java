package ai.avala.agents.local.stack;

import ai.avala.agents.config.Environment;
import ai.avala.agents.json.Json;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One cold start, measured inside a fresh JVM that {@link Benchmark} spawns: JVM start to handler
 * constructed (clients built), then to the first answer of a request that reads DynamoDB.
 * Prints one JSON line. Arguments: handler class, the function's environment as JSON, the event as JSON,
 * the event's class.
 */
final class ColdStart {

    private ColdStart() {
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Map<String, String> env = Json.MAPPER.readValue(args[1], Map.class);
        Object handler = Class.forName(args[0]).getConstructor(Environment.class).newInstance(new Environment(env));
        long constructed = System.currentTimeMillis();
        Object event = Json.MAPPER.readValue(args[2], Class.forName(args[3]));
        try {
            ((RequestHandler<Object, Object>) handler).handleRequest(event, new LocalContext("bench", 30_000));
        } catch (RuntimeException refused) {
            // The authorizer answers an unknown key by throwing "Unauthorized": that is its answer.
        }
        long answered = System.currentTimeMillis();
        Runtime runtime = Runtime.getRuntime();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("init_ms", constructed - jvmStart);
        result.put("first_ms", answered - jvmStart);
        result.put("heap_mb", (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024));
        System.out.println(Json.write(result));
    }
}
