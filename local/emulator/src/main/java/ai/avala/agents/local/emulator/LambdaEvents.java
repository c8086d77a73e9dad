package ai.avala.agents.local.emulator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Lambda's event classes (aws-lambda-java-events, which the functions themselves no longer carry) turned
 * into the JSON Lambda sends, and a function's JSON answer back into them: how the tests and the local
 * stack drive the functions' stream handlers with the same events Lambda would.
 */
public final class LambdaEvents {

    private static final ClassLoader LOADER = LambdaEvents.class.getClassLoader();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private LambdaEvents() {}

    /** The event as Lambda sends it: its own serialization for its event classes ({@code Records}, ...). */
    @SuppressWarnings("unchecked")
    public static byte[] toJson(Object event) {
        if (isLambdaEvent(event.getClass())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ((PojoSerializer<Object>) LambdaEventSerializers.serializerFor(event.getClass(), LOADER))
                    .toJson(event, out);
            return out.toByteArray();
        }
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T fromJson(byte[] json, Class<T> type) {
        if (isLambdaEvent(type)) {
            return LambdaEventSerializers.serializerFor(type, LOADER).fromJson(new ByteArrayInputStream(json));
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isLambdaEvent(Class<?> type) {
        return type.getName().startsWith("com.amazonaws.services.lambda.runtime.events.");
    }

    /** Invokes a stream handler with {@code input}; its answer's bytes (a failure propagates as Lambda reports it). */
    public static byte[] invoke(RequestStreamHandler handler, byte[] input, Context context) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        AwsCallRecorder.invoking(handler);
        try {
            handler.handleRequest(new ByteArrayInputStream(input), output, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            AwsCallRecorder.invoking(null);
        }
        return output.toByteArray();
    }

    /** Invokes a stream handler with an event object; its answer as {@code responseType}. */
    public static <T> T invoke(RequestStreamHandler handler, Object event, Class<T> responseType) {
        return fromJson(invoke(handler, toJson(event), (Context) null), responseType);
    }
}
