package ai.avala.agents.local.emulator;

import static ai.avala.agents.local.emulator.SamTemplate.map;

import java.util.LinkedHashMap;
import java.util.Map;

/** The environment variables Lambda would give one function of the template, resolved against local resources. */
public final class FunctionEnvironment {

    private FunctionEnvironment() {}

    public static Map<String, String> of(LocalResources local, String functionId, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(local.awsVariables());
        Map<String, Object> function =
                local.template().resources("AWS::Serverless::Function").get(functionId);
        if (function == null) {
            throw new IllegalArgumentException("template.yaml has no function " + functionId);
        }
        variables(local.template().functionGlobals()).forEach((name, value) -> env.put(name, local.resolve(value)));
        variables(function).forEach((name, value) -> env.put(name, local.resolve(value)));
        env.putAll(overrides);
        env.values().removeIf(java.util.Objects::isNull);
        return Map.copyOf(env);
    }

    private static Map<String, Object> variables(Map<String, Object> functionProperties) {
        return map(map(functionProperties.get("Environment")).get("Variables"));
    }
}
