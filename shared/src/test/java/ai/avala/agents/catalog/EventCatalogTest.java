package ai.avala.agents.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.avala.agents.errors.InvalidInputException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bundled catalog, and what an agent may subscribe to. */
class EventCatalogTest {

    private final EventCatalog catalog = EventCatalog.bundled(Optional.empty());

    @Test
    void theBundledCatalog_shouldHoldThePlatformsTypes_eachFileParsedAndNamedAsItsFile() {
        assertThat(catalog.names())
                .containsExactly(
                        "dataset.created",
                        "dataset.deleted",
                        "dataset.updated",
                        "export.completed",
                        "export.failed",
                        "result.accepted",
                        "result.rejected",
                        "result.submitted",
                        "task.completed",
                        "task.created",
                        "task.reviewed");
        assertThat(catalog.types()).allSatisfy(type -> {
            assertThat(type.description()).isNotBlank();
            assertThat(type.schema().isObject()).isTrue();
            assertThat(type.example().path("type").asText()).isEqualTo(type.name());
        });
        assertThat(catalog.type("dataset.created").orElseThrow().payload())
                .containsEntry("dataset_uid", "/data/dataset_uid");
    }

    @Test
    void aTypo_shouldBeRefusedWithTheClosestKnownName() {
        assertThatThrownBy(() -> catalog.checkSubscriptions(List.of("task.completed", "task.complete"), List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("\"task.complete\" is not a known event type; did you mean \"task.completed\"?")
                .satisfies(e ->
                        assertThat(((InvalidInputException) e).fieldErrors()).containsKey("events"));
    }

    @Test
    void aFamilyWithoutKnownTypes_shouldBeRefused_andAKnownFamilyOrEverythingAccepted() {
        catalog.checkSubscriptions(List.of("task.*", "result.*", "*"), List.of());

        assertThatThrownBy(() -> catalog.checkSubscriptions(List.of("tsk.*"), List.of()))
                .hasMessage("\"tsk.*\" names no family of known event types; did you mean \"task.*\"?");
        assertThatThrownBy(() -> catalog.checkSubscriptions(List.of("billing.invoice_paid"), List.of()))
                .hasMessage("\"billing.invoice_paid\" is not a known event type; GET /event-types/ lists them.");
    }

    @Test
    void aTypeTheAgentAlreadyStores_shouldBeAcceptedAgain() {
        catalog.checkSubscriptions(List.of("task.completed", "legacy.type"), List.of("legacy.type"));

        assertThatThrownBy(
                        () -> catalog.checkSubscriptions(List.of("legacy.type", "other.type"), List.of("legacy.type")))
                .hasMessageStartingWith("\"other.type\" is not a known event type");
    }

    @Test
    void matching_shouldFollowTheSubscriptionForms() {
        assertThat(EventCatalog.matches("*", "task.completed")).isTrue();
        assertThat(EventCatalog.matches("task.*", "task.completed")).isTrue();
        assertThat(EventCatalog.matches("task.*", "taskx.completed")).isFalse();
        assertThat(EventCatalog.matches("task.completed", "task.completed")).isTrue();
        assertThat(EventCatalog.matches("task.created", "task.completed")).isFalse();
    }
}
