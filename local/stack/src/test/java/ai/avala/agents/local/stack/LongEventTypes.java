package ai.avala.agents.local.stack;

import ai.avala.agents.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Event types with names of the longest length an agent may store (100 characters), as a deployment could add them
 * (a folder for {@code EVENT_TYPES_DIR}): what the test of the largest agent subscribes to.
 */
final class LongEventTypes {

    private static Path folder;

    private LongEventTypes() {}

    /** The 32 names of the given letter ({@code x} or {@code y}), each 100 characters. */
    static List<String> names(char letter) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            names.add("e" + i + "."
                    + String.valueOf(letter).repeat(95 - String.valueOf(i).length()));
        }
        return names;
    }

    /** A folder of type files for both letters' names, written once per test JVM. */
    static synchronized String folder() {
        if (folder == null) {
            try {
                Path created = Files.createTempDirectory("long-event-types");
                for (char letter : new char[] {'x', 'y'}) {
                    for (String name : names(letter)) {
                        Files.writeString(
                                created.resolve(name + ".json"),
                                Json.write(Map.of(
                                        "name",
                                        name,
                                        "description",
                                        "A type with the longest name an agent may store.",
                                        "schema",
                                        Map.of("type", "object"),
                                        "example",
                                        Map.of("id", "evt_1", "type", name, "tenant", "t"))));
                    }
                }
                folder = created;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return folder.toString();
    }
}
