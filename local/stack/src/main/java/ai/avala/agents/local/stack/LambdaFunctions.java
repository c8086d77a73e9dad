package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.local.emulator.AwsCallRecorder;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.local.emulator.LambdaEvents;
import ai.avala.agents.local.emulator.LocalContext;
import ai.avala.agents.local.emulator.LocalResources;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The template's functions as local handler instances: the class named by {@code Handler}, built once
 * (as in a warm Lambda container) through its {@code (Wiring)} constructor, from the variables the template
 * gives it and its clock.
 */
final class LambdaFunctions {

    /** One function's handler, invoked as Lambda invokes it: with the event's JSON bytes. */
    record Function(String id, RequestStreamHandler handler, int timeoutMillis) {

        byte[] invoke(byte[] input, Context context) {
            // A metered invocation's time starts once it runs (after the others it waited for).
            return InvocationMeter.invoke(
                    id,
                    InvocationMeter.records(input),
                    () -> LambdaEvents.invoke(
                            handler,
                            input,
                            InvocationMeter.metering() ? new LocalContext(id, timeoutMillis) : context));
        }

        /** Invokes with an event object of aws-lambda-java-events; the answer as {@code responseType}. */
        <T> T invoke(Object event, Class<T> responseType, Context context) {
            return LambdaEvents.fromJson(invoke(LambdaEvents.toJson(event), context), responseType);
        }
    }

    private final Map<String, Function> functions = new LinkedHashMap<>();

    /** Each function on the clock {@code clocks} gives for its id. */
    LambdaFunctions(
            LocalResources local, Map<String, String> overrides, java.util.function.Function<String, Clock> clocks) {
        int defaultTimeout = timeoutSeconds(local.template().functionGlobals().get("Timeout"), 3);
        local.template().resources("AWS::Serverless::Function").forEach((id, props) -> {
            String handler = (String) props.get("Handler");
            String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
            Configuration config = Configuration.from(FunctionEnvironment.of(local, id, overrides));
            functions.put(
                    id,
                    new Function(
                            id,
                            instantiate(id, className, new Wiring(config, clocks.apply(id))),
                            timeoutSeconds(props.get("Timeout"), defaultTimeout) * 1000));
        });
    }

    Function get(String id) {
        Function function = functions.get(id);
        if (function == null) {
            throw new IllegalStateException("template.yaml has no function " + id);
        }
        return function;
    }

    Map<String, Function> all() {
        return functions;
    }

    private static RequestStreamHandler instantiate(String id, String className, Wiring wiring) {
        try {
            Class<?> type = Class.forName(className);
            Object handler = AwsCallRecorder.constructing(
                    type, () -> type.getConstructor(Wiring.class).newInstance(wiring));
            if (!(handler instanceof RequestStreamHandler streamHandler)) {
                throw new IllegalStateException(className + " is not a RequestStreamHandler");
            }
            return streamHandler;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "Cannot create handler " + className + " of " + id + ": it needs a public (Wiring) constructor", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create handler " + className + " of " + id, e);
        }
    }

    private static int timeoutSeconds(Object value, int fallback) {
        return value instanceof Number number ? number.intValue() : fallback;
    }

    static Map<String, Object> events(Map<String, Object> functionProperties) {
        return map(functionProperties.get("Events"));
    }
}
