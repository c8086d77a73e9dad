package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.map;

import ai.avala.agents.config.Environment;
import ai.avala.agents.local.emulator.FunctionEnvironment;
import ai.avala.agents.local.emulator.LocalResources;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The template's functions as local handler instances: the class named by {@code Handler}, built once
 * (as in a warm Lambda container) through its {@code (Environment)} constructor with the variables the
 * template gives it.
 */
final class LambdaFunctions {

    record Function(String id, RequestHandler<Object, Object> handler, int timeoutMillis) {
    }

    private final Map<String, Function> functions = new LinkedHashMap<>();

    LambdaFunctions(LocalResources local, Map<String, String> overrides) {
        int defaultTimeout = timeoutSeconds(local.template().functionGlobals().get("Timeout"), 3);
        local.template().resources("AWS::Serverless::Function").forEach((id, props) -> {
            String handler = (String) props.get("Handler");
            String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
            Environment env = FunctionEnvironment.of(local, id, overrides);
            functions.put(id, new Function(id, instantiate(id, className, env),
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

    @SuppressWarnings("unchecked")
    private static RequestHandler<Object, Object> instantiate(String id, String className, Environment env) {
        try {
            Class<?> type = Class.forName(className);
            Object handler = type.getConstructor(Environment.class).newInstance(env);
            return (RequestHandler<Object, Object>) handler;
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("Cannot create handler " + className + " of " + id
                    + ": it needs a public (Environment) constructor and must implement RequestHandler", e);
        }
    }

    private static int timeoutSeconds(Object value, int fallback) {
        return value instanceof Number number ? number.intValue() : fallback;
    }

    static Map<String, Object> events(Map<String, Object> functionProperties) {
        return map(functionProperties.get("Events"));
    }
}
