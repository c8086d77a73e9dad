package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.json.Json;
import ai.avala.agents.local.emulator.LocalContext;
import ai.avala.agents.local.emulator.SamTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file in events/ is the sample event of one function of the template ({@code list-agents.json}
 * belongs to {@code ListAgentsFunction}, {@code dispatcher-sqs.json} to {@code DispatcherFunction}),
 * usable as {@code sam local invoke <Function> -e events/<file>}; each is invoked on the handler the
 * template names, against the emulator, so none of them rots.
 */
class SampleEventsTest {

    /**
     * What each API sample is answered on an empty stack: the samples that create or list succeed, the ones
     * naming an agent or execution name one that does not exist (yet) and are answered 404, not an error.
     */
    private static final Map<String, Integer> EXPECTED_STATUS = Map.ofEntries(
            Map.entry("redeliver-execution.json", 404),
            Map.entry("redeliver-failed.json", 404),
            Map.entry("rotate-secret.json", 404),
            Map.entry("create-agent.json", 201),
            Map.entry("list-agents.json", 200),
            Map.entry("list-event-types.json", 200),
            Map.entry("get-agent.json", 404),
            Map.entry("update-agent.json", 404),
            Map.entry("delete-agent.json", 404),
            Map.entry("test-agent.json", 404),
            Map.entry("list-executions.json", 404),
            Map.entry("agent-action.json", 404),
            Map.entry("method-not-allowed.json", 405));

    @Test
    void everySampleEvent_shouldDriveItsFunctionsHandler_andEveryFunctionShouldHaveOne() throws Exception {
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), true))) {
            LambdaFunctions functions = new LambdaFunctions(
                    stack.resources(), Map.of("ALLOW_LOCAL_CALLBACKS", "true"), id -> java.time.Clock.systemUTC());
            Set<String> covered = new HashSet<>();
            for (Path file : sampleFiles()) {
                String function = functionOf(file);
                assertThat(functions.all())
                        .as(file + " names no function of template.yaml")
                        .containsKey(function);
                covered.add(function);
                invoke(functions.get(function), file);
            }
            assertThat(covered)
                    .containsExactlyInAnyOrderElementsOf(functions.all().keySet());
        }
    }

    /** Sends the file's bytes as Lambda would, and reads the answer as API Gateway or the event source would. */
    private static void invoke(LambdaFunctions.Function function, Path file) throws IOException {
        var context = new LocalContext(function.id(), function.timeoutMillis());
        String path = file.toString();
        byte[] event = Files.readAllBytes(file);
        if (function.id().equals("AuthorizerFunction")) {
            // The sample's key is a placeholder that no tenant has: the authorizer must refuse it.
            assertThatThrownBy(() -> function.invoke(event, context)).hasMessage("Unauthorized");
        } else if (file.getFileName().toString().endsWith("-schedule.json")) {
            var output = Json.parse(new String(function.invoke(event, context), StandardCharsets.UTF_8));
            assertThat(output.get("failed").asInt()).as(path).isZero();
        } else if (file.getFileName().toString().endsWith("-stream.json")
                || file.getFileName().toString().endsWith("-sqs.json")) {
            var output = Json.parse(new String(function.invoke(event, context), StandardCharsets.UTF_8));
            assertThat(output.get("batchItemFailures")).as(path).isEmpty();
        } else {
            var response = Json.parse(new String(function.invoke(event, context), StandardCharsets.UTF_8));
            assertThat(EXPECTED_STATUS)
                    .as(path + " has no expected status")
                    .containsKey(file.getFileName().toString());
            assertThat(response.get("statusCode").asInt())
                    .as(path + ": " + response)
                    .isEqualTo(EXPECTED_STATUS.get(file.getFileName().toString()));
            assertThat(response.get("headers").get("Content-Type").asText()).isEqualTo("application/json");
        }
    }

    private static List<Path> sampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(SamTemplate.locate().getParent().resolve("events"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    /**
     * {@code list-agents.json} -> {@code ListAgentsFunction}; a suffix ({@code -sqs}, {@code -stream},
     * {@code -schedule}) names the event source.
     */
    static String functionOf(Path file) {
        String name = file.getFileName().toString().replace(".json", "").replaceAll("-(sqs|stream|schedule)$", "");
        StringBuilder function = new StringBuilder();
        for (String part : name.split("-")) {
            function.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return function.append("Function").toString();
    }
}
