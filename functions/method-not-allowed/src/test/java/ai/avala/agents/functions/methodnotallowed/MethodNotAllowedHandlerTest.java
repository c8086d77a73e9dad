package ai.avala.agents.functions.methodnotallowed;

import static ai.avala.agents.local.emulator.SamTemplate.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LambdaEvents;
import ai.avala.agents.local.emulator.SamTemplate;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MethodNotAllowedHandlerTest {

    @Test
    void allowed_shouldListExactlyTheMethodsTheTemplateRoutesOnEachPath() {
        Map<String, TreeSet<String>> routed = new TreeMap<>();
        SamTemplate.load(SamTemplate.locate())
                .resources("AWS::Serverless::Function")
                .values()
                .forEach(function -> map(function.get("Events")).values().stream()
                        .map(SamTemplate::map)
                        .filter(event -> "Api".equals(event.get("Type")))
                        .map(event -> map(event.get("Properties")))
                        .filter(route -> !"ANY".equals(route.get("Method")))
                        .forEach(route -> routed.computeIfAbsent((String) route.get("Path"), p -> new TreeSet<>())
                                .add(((String) route.get("Method")).toUpperCase())));
        Map<String, TreeSet<String>> listed = new TreeMap<>();
        MethodNotAllowedHandler.ALLOWED.forEach(
                (path, methods) -> listed.put(path, new TreeSet<>(java.util.List.of(methods.split(", ")))));

        assertThat(listed).isEqualTo(routed);
    }

    @Test
    void anUndeclaredMethod_shouldBeAnswered405WithTheAllowedMethods() {
        String event = Json.write(Map.of(
                "resource",
                "/api/v1/agents/{uid}",
                "path",
                "/api/v1/agents/agent_x/",
                "httpMethod",
                "PUT",
                "headers",
                Map.of(),
                "requestContext",
                Map.of("authorizer", Map.of("tenant", "acme"))));

        var response = Json.parse(new String(
                LambdaEvents.invoke(
                        new MethodNotAllowedHandler(),
                        event.getBytes(StandardCharsets.UTF_8),
                        (com.amazonaws.services.lambda.runtime.Context) null),
                StandardCharsets.UTF_8));

        assertThat(response.get("statusCode").asInt()).isEqualTo(405);
        assertThat(response.get("headers").get("Allow").asText()).isEqualTo("GET, PATCH, DELETE");
        assertThat(Json.parse(response.get("body").asText()).get("detail").asText())
                .isEqualTo("Method PUT is not allowed here; use GET, PATCH, DELETE.");
    }
}
