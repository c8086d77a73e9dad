package ai.avala.agents.local.coldstart;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One cold start, as Lambda makes it, in the fresh JVM local/bench starts on a function's {@code sam build}
 * artifact: the handler built with its no-argument constructor (configuration from the process
 * environment), then invoked once with the event: as bytes for a {@code RequestStreamHandler}, through the
 * runtime's own POJO serialization for a {@code RequestHandler}. Prints one line,
 * {@code first_ms init_ms classes heap_mb status}, where first_ms is JVM start to the answer written.
 * Arguments: the handler class, a file holding the event.
 */
public final class LambdaRuntimeHarness {

    private LambdaRuntimeHarness() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        Object handler = Class.forName(args[0]).getConstructor().newInstance();
        long constructed = System.currentTimeMillis();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        String status = "ok";
        try {
            if (handler instanceof RequestStreamHandler stream) {
                stream.handleRequest(new ByteArrayInputStream(event), answer, null);
            } else {
                Class<?> input = inputType(handler.getClass());
                PojoSerializer in =
                        LambdaEventSerializers.serializerFor(input, LambdaRuntimeHarness.class.getClassLoader());
                Object result =
                        ((RequestHandler) handler).handleRequest(in.fromJson(new ByteArrayInputStream(event)), null);
                PojoSerializer out = LambdaEventSerializers.serializerFor(
                        result.getClass(), LambdaRuntimeHarness.class.getClassLoader());
                out.toJson(result, answer);
            }
        } catch (RuntimeException e) {
            // As Lambda's runtime does, the error and its causes go to the log (standard error here).
            e.printStackTrace();
            status = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().replace(' ', '_');
        }
        long answered = System.currentTimeMillis();
        Runtime runtime = Runtime.getRuntime();
        System.out.println((answered - jvmStart) + " " + (constructed - jvmStart) + " "
                + ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount() + " "
                + (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024) + " " + status
                + " "
                + new String(answer.toByteArray(), StandardCharsets.UTF_8)
                        .replaceAll("\\s+", " ")
                        .lines()
                        .findFirst()
                        .orElse(""));
    }

    private static Class<?> inputType(Class<?> type) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals("handleRequest") && method.getParameterCount() == 2 && !method.isBridge()) {
                return method.getParameterTypes()[0];
            }
        }
        throw new IllegalArgumentException(type + " has no handleRequest(event, context)");
    }
}
