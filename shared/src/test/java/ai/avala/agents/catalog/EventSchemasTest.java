package ai.avala.agents.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.dispatch.EventIntake;
import ai.avala.agents.dispatch.PoisonMessageException;
import ai.avala.agents.json.Json;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Intake against the catalog's schemas: what is refused, with which reason, and what the payload gains. */
class EventSchemasTest {

    private final EventCatalog catalog = EventCatalog.bundled(Optional.empty());
    private final EventSchemas schemas = new EventSchemas(catalog);

    @Test
    void everyTypesExample_shouldValidateAgainstItsOwnSchema() {
        assertThat(catalog.types())
                .allSatisfy(type -> assertThat(schemas.problem(type.name(), type.example()))
                        .as(type.name())
                        .isEmpty());
    }

    @Test
    void aResultEventNamingNoResult_shouldBePoisonNamingTheFieldAndTheRule() {
        String body = "{\"id\": \"evt_1\", \"type\": \"result.submitted\", \"tenant\": \"acme\", \"task\": \"task_1\"}";

        assertThatThrownBy(() -> EventIntake.parse(body, schemas))
                .isInstanceOf(PoisonMessageException.class)
                .hasMessageContaining("result.submitted")
                .hasMessageContaining("result")
                .hasMessageContaining("required")
                .satisfies(e -> assertThat(((PoisonMessageException) e).outsideCatalog())
                        .isTrue());
    }

    @Test
    void aTypeOutsideTheCatalog_shouldBePoison_andAWrongFieldTypeToo() {
        assertThatThrownBy(() -> EventIntake.parse(
                        "{\"id\": \"evt_1\", \"type\": \"task.complete\", \"tenant\": \"acme\", \"task\": \"t\"}",
                        schemas))
                .hasMessage("Event type \"task.complete\" is not in the event catalog (GET /event-types/).");
        assertThatThrownBy(() -> EventIntake.parse(
                        "{\"id\": \"evt_1\", \"type\": \"dataset.created\", \"tenant\": \"acme\","
                                + " \"data\": {\"dataset_uid\": 42}}",
                        schemas))
                .hasMessageContaining("dataset_uid")
                .hasMessageContaining("string");
    }

    @Test
    void aDatasetEvent_shouldCarryItsDatasetUidInThePayloadAsTheAgentsLibraryReadsIt() throws Exception {
        var event = EventIntake.parse(
                Json.write(
                        catalog.type("dataset.created").orElseThrow().example().toJava()),
                schemas);

        assertThat(event.payload())
                .containsEntry("dataset_uid", "dataset_example")
                .containsEntry("event_type", "dataset.created");
    }
}
