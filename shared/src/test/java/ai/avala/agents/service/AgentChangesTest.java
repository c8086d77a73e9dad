package ai.avala.agents.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.avala.agents.errors.InvalidInputException;
import ai.avala.agents.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentChangesTest {

    @Test
    void parse_shouldKeepOnlyTheFieldsThatWereSent() {
        AgentChanges changes = AgentChanges.forUpdate("{\"is_active\": false, \"project\": null}");

        assertThat(changes.present()).containsExactlyInAnyOrder("is_active", "project");
        assertThat(changes.active()).isFalse();
        assertThat(changes.project()).isNull();
    }

    @Test
    void parse_shouldRequireANameOnCreate() {
        InvalidInputException error =
                catchThrowableOfType(InvalidInputException.class, () -> AgentChanges.forCreate("{\"events\": []}"));

        assertThat(error.getMessage()).isEqualTo("Invalid agent: name: This field is required.");
        assertThat(error.fieldErrors()).containsKey("name");
    }

    @Test
    void parse_shouldReportEveryInvalidFieldAtOnce() {
        InvalidInputException error = catchThrowableOfType(
                InvalidInputException.class,
                () -> AgentChanges.forCreate(
                        "{\"name\": 5, \"events\": \"task.completed\", \"is_active\": \"yes\", \"task_types\": [1],"
                                + " \"colour\": \"red\"}"));

        assertThat(error.fieldErrors()).containsOnlyKeys("name", "events", "is_active", "task_types", "colour");
        assertThat(error.fieldErrors().get("colour")).containsExactly("Unknown field.");
    }

    @Test
    void parse_shouldAcceptEventPatternsAndRefuseOthers() {
        assertThat(AgentChanges.forCreate("{\"name\":\"a\",\"events\":[\"task.completed\",\"task.*\",\"*\"]}")
                        .events())
                .containsExactly("task.completed", "task.*", "*");
        for (String bad : new String[] {"Task.Completed", "task.", ".x", "task completed", "task.**", ""}) {
            InvalidInputException error = catchThrowableOfType(
                    InvalidInputException.class,
                    () -> AgentChanges.forCreate("{\"name\":\"a\",\"events\":[" + Json.write(bad) + "]}"));
            assertThat(error.fieldErrors()).as(bad).containsKey("events");
        }
    }

    @Test
    void parse_shouldLimitLengthsAndCounts() {
        String longName = "{\"name\":\"" + "n".repeat(256) + "\"}";
        StringBuilder manyEvents = new StringBuilder("{\"name\":\"a\",\"events\":[");
        for (int i = 0; i <= AgentChanges.MAX_EVENTS; i++) {
            manyEvents
                    .append(i == 0 ? "" : ",")
                    .append("\"e.n")
                    .append((char) ('a' + i % 26))
                    .append(i)
                    .append('"');
        }
        manyEvents.append("]}");

        assertThat(catchThrowableOfType(InvalidInputException.class, () -> AgentChanges.forCreate(longName))
                        .fieldErrors())
                .containsKey("name");
        assertThat(catchThrowableOfType(
                                InvalidInputException.class, () -> AgentChanges.forCreate(manyEvents.toString()))
                        .fieldErrors())
                .containsKey("events");
    }

    @Test
    void parse_shouldRefuseBodiesThatAreNotJsonObjects() {
        assertThat(catchThrowableOfType(InvalidInputException.class, () -> AgentChanges.forCreate("[]"))
                        .getMessage())
                .isEqualTo("Request body must be a JSON object.");
        assertThat(catchThrowableOfType(Json.MalformedJsonException.class, () -> AgentChanges.forCreate("{\"name\":")))
                .isNotNull();
        assertThat(catchThrowableOfType(Json.MalformedJsonException.class, () -> AgentChanges.forCreate("")))
                .hasMessage("Request body is empty.");
    }

    @Test
    void parse_shouldRefuseControlAndBidiCharactersInNamesButAllowLineBreaksInTheDescription() {
        var described = AgentChanges.forCreate("{\"name\": \"ok\", \"description\": \"line one\\nline\\ttwo\"}");

        assertThat(described.description()).isEqualTo("line one\nline\ttwo");
        for (String body : List.of(
                "{\"name\": \"a\\u0000\"}",
                "{\"name\": \"a\\u009b\"}",
                "{\"name\": \"a\\u2066b\"}",
                "{\"name\": \"a\\nb\"}",
                "{\"name\": \"x\", \"description\": \"a\\u0000b\"}",
                "{\"name\": \"x\", \"description\": \"\\u202Eevil\"}")) {
            assertThatThrownBy(() -> AgentChanges.forCreate(body))
                    .as(body)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("control characters or bidirectional");
        }
    }

    // The rules below are the ones openapi.yaml's text patterns state; schemathesis holds the two together.

    @Test
    void parse_shouldCountCodePointsAsSent_asJsonSchemaMaxLengthDoes() {
        String emoji = "\uD83D\uDE00".repeat(255);
        assertThat(AgentChanges.forCreate("{\"name\": \"" + emoji + "\"}").name())
                .isEqualTo(emoji);

        InvalidInputException padded = catchThrowableOfType(
                InvalidInputException.class, () -> AgentChanges.forCreate("{\"name\": \"" + "a".repeat(255) + " \"}"));
        assertThat(padded.fieldErrors().get("name"))
                .containsExactly("Ensure this field has no more than 255 characters.");
    }

    @Test
    void parse_shouldRefuseTextsOfOnlyUnicodeSpaces_andStripThemAroundOthers() {
        for (String blank : List.of("\u00a0", "\u2007\u202f", "\u3000", "\ufeff", " \u2028 ")) {
            InvalidInputException error = catchThrowableOfType(
                    InvalidInputException.class,
                    () -> AgentChanges.forCreate(Json.write(java.util.Map.of("name", blank))));
            assertThat(error.fieldErrors().get("name")).as("%s", blank).containsExactly("This field may not be blank.");
        }
        assertThat(AgentChanges.forCreate("{\"name\": \"\\u00a0 Reviewer \\u3000\"}")
                        .name())
                .isEqualTo("Reviewer");
    }

    @Test
    void parse_shouldKeepEventTypesAsSent_soASpacedOneIsRefused() {
        InvalidInputException error = catchThrowableOfType(
                InvalidInputException.class,
                () -> AgentChanges.forCreate("{\"name\": \"x\", \"events\": [\" task.completed\"]}"));

        assertThat(error.fieldErrors()).containsOnlyKeys("events");
        assertThat(AgentChanges.forCreate("{\"name\": \"x\", \"task_types\": [\" bbox \"]}")
                        .taskTypes())
                .containsExactly("bbox");
    }

    @Test
    void parse_shouldRefuseUnpairedSurrogates() {
        InvalidInputException error = catchThrowableOfType(
                InvalidInputException.class, () -> AgentChanges.forCreate("{\"name\": \"a\\ud800b\"}"));

        assertThat(error.fieldErrors().get("name"))
                .containsExactly("Must not contain control characters or bidirectional text overrides.");
    }
}
