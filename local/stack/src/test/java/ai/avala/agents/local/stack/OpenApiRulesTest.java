package ai.avala.agents.local.stack;

import static ai.avala.agents.local.emulator.SamTemplate.map;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.callback.UrlGuard;
import ai.avala.agents.ids.Ids;
import ai.avala.agents.local.emulator.SamTemplate;
import ai.avala.agents.service.TextRules;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * openapi.yaml's patterns say what the server enforces, character for character: every code point is
 * judged the same by the document's text patterns and by the server's {@link TextRules}, the callback URL
 * pattern is the server's, and the uid patterns accept exactly the uids the server accepts. (Schemathesis
 * samples the same agreement through HTTP; this covers every character.)
 */
class OpenApiRulesTest {

    private static Map<String, Object> schemas;
    private static Map<String, Object> paths;

    @BeforeAll
    static void load() {
        Map<String, Object> document = read();
        schemas = map(map(document.get("components")).get("schemas"));
        paths = map(document.get("paths"));
    }

    @Test
    void textPatterns_shouldJudgeEveryCharacterAsTheServerDoes() {
        Map<String, Object> create = map(map(schemas.get("AgentCreate")).get("properties"));
        Pattern oneLine = ecma(pattern(create.get("name")));
        Pattern multiLine = ecma(pattern(create.get("description")));
        List<String> disagreements = new ArrayList<>();
        for (int c = 0; c <= 0x10ffff; c = c == 0xffff ? 0x1f600 : c + 1) {
            if (c >= 0xd800 && c <= 0xdfff) {
                continue; // no JSON Schema string holds an unpaired surrogate; the server refuses them
            }
            String alone = Character.toString(c);
            check(disagreements, oneLine, alone, !TextRules.isUnsafe(c, false) && !TextRules.isBlank(c));
            check(disagreements, oneLine, "a" + alone, !TextRules.isUnsafe(c, false));
            check(disagreements, multiLine, alone, !TextRules.isUnsafe(c, true) && !TextRules.isBlank(c));
            check(disagreements, multiLine, "a" + alone + "a", !TextRules.isUnsafe(c, true));
            if (c == 0x1f6ff) {
                break;
            }
        }
        assertThat(disagreements).isEmpty();
        String name = pattern(create.get("name"));
        Map<String, Object> update = map(map(schemas.get("AgentUpdate")).get("properties"));
        assertThat(List.of(
                        pattern(create.get("project")),
                        pattern(schemas.get("TaskType")),
                        pattern(update.get("name")),
                        pattern(update.get("project"))))
                .containsOnly(name);
        assertThat(pattern(update.get("description"))).isEqualTo(pattern(create.get("description")));
    }

    @Test
    void callbackUrlPattern_shouldBeTheServersRegistrationForm() {
        assertThat(pattern(
                        map(map(schemas.get("AgentCreate")).get("properties")).get("callback_url")))
                .isEqualTo(UrlGuard.REGISTRATION_FORM);
        assertThat(pattern(
                        map(map(schemas.get("AgentUpdate")).get("properties")).get("callback_url")))
                .isEqualTo(UrlGuard.REGISTRATION_FORM);
    }

    @Test
    void uidPatterns_shouldAcceptExactlyTheUidsTheServerAccepts() {
        Pattern agent = ecma(
                pattern(map(map(map(read().get("components")).get("parameters")).get("uid"))
                        .get("schema")));
        Map<String, Object> action =
                map(map(map(map(map(paths.get("/agent-actions/")).get("post")).get("requestBody"))
                                .get("content"))
                        .get("application/json"));
        Pattern execution =
                ecma(pattern(map(map(action.get("schema")).get("properties")).get("execution")));
        String agentUid = Ids.agentUid();
        String executionUid = Ids.executionUid();
        List<String> candidates = List.of(
                agentUid,
                executionUid,
                agentUid.toLowerCase(),
                agentUid + "0",
                agentUid.substring(0, agentUid.length() - 1),
                agentUid.substring(0, 10) + "I" + agentUid.substring(11),
                agentUid.substring(0, 10) + "U" + agentUid.substring(11),
                executionUid.substring(0, 9) + "O" + executionUid.substring(10),
                "agent_",
                "exec_" + "Z".repeat(26),
                "agent_" + "7".repeat(26),
                " " + agentUid,
                agentUid + "\n");
        for (String candidate : candidates) {
            assertThat(agent.matcher(candidate).find()).as(candidate).isEqualTo(Ids.isAgentUid(candidate));
            assertThat(execution.matcher(candidate).find()).as(candidate).isEqualTo(Ids.isExecutionUid(candidate));
        }
    }

    @Test
    void eventTypeEnum_shouldBeWhatTheCatalogLetsAnAgentSubscribeTo() {
        var catalog = ai.avala.agents.catalog.EventCatalog.bundled(java.util.Optional.empty());
        java.util.List<String> expected = new java.util.ArrayList<>(catalog.names());
        catalog.names().stream()
                .map(name -> ai.avala.agents.catalog.EventType.family(name) + ".*")
                .distinct()
                .sorted()
                .forEach(expected::add);
        expected.add("*");

        assertThat(map(schemas.get("EventType")).get("enum"))
                .as("local/openapi-event-types writes it from event-types/")
                .isEqualTo(expected);
        assertThat(expected)
                .allSatisfy(value -> assertThat(catalog.subscribable(value)).isTrue());
    }

    private static Map<String, Object> read() {
        try (Reader reader =
                Files.newBufferedReader(SamTemplate.locate().getParent().resolve("openapi.yaml"))) {
            return new Yaml().load(reader);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A JSON Schema (ECMAScript) pattern for java.util.regex: ECMAScript's $ is the very end, Java's \z. */
    private static Pattern ecma(String pattern) {
        return Pattern.compile(pattern.endsWith("$") ? pattern.substring(0, pattern.length() - 1) + "\\z" : pattern);
    }

    private static String pattern(Object schema) {
        return (String) map(schema).get("pattern");
    }

    private static void check(List<String> disagreements, Pattern pattern, String value, boolean serverAccepts) {
        // find(), as JSON Schema's pattern applies (the patterns anchor themselves with ^ and $).
        if (pattern.matcher(value).find() != serverAccepts && disagreements.size() < 20) {
            disagreements.add(String.format(
                    "U+%04X in \"%s\": server %s, openapi.yaml %s",
                    value.codePoints().filter(c -> c != 'a').findFirst().orElse('a'),
                    value.replace("\n", "\\n"),
                    serverAccepts ? "accepts" : "refuses",
                    serverAccepts ? "refuses" : "accepts"));
        }
    }
}
