package ai.avala.agents.catalog;

import ai.avala.agents.errors.InvalidInputException;
import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The event catalog: the types of event this service knows, one JSON file per type in the repository's
 * {@code event-types/} folder ({@code <name>.json}), bundled into the shared library at build time; a deployment adds
 * its own types by adding files there before {@code sam build}, and a local stack also reads the folder named by
 * {@code EVENT_TYPES_DIR} ({@link #bundled}). Names come from the file names, so that the API functions, which check names only, parse
 * no file; a type's file is parsed the first time it is asked for. Catalog order is the names' order.
 */
public final class EventCatalog {

    static final String FOLDER = "event-types/";
    private static final String SUFFIX = ".json";
    /** How far (in edits) a name may be from a known one to be suggested. */
    private static final int SUGGESTION_DISTANCE = 3;

    /** The catalogs read in this container, by extra folder ("" for none): read once each. */
    private static final Map<String, EventCatalog> BUNDLED = new ConcurrentHashMap<>();

    private final Map<String, String> files;
    private final Map<String, EventType> parsed = new ConcurrentHashMap<>();

    private EventCatalog(Map<String, String> files) {
        this.files = new TreeMap<>(files);
    }

    /** A catalog of these files' texts, by type name (tests). */
    public static EventCatalog of(Map<String, String> files) {
        return new EventCatalog(files);
    }

    /**
     * The catalog bundled with the function, with the files of {@code extraFolder} ({@code EVENT_TYPES_DIR}, a local
     * stack's) when given; read once per container.
     */
    public static EventCatalog bundled(Optional<String> extraFolder) {
        return BUNDLED.computeIfAbsent(extraFolder.orElse(""), folder -> {
            Map<String, String> files = new TreeMap<>(bundledFiles());
            if (!folder.isBlank()) {
                files.putAll(folderFiles(Path.of(folder)));
            }
            return new EventCatalog(files);
        });
    }

    /** The type names, in catalog order. */
    public List<String> names() {
        return List.copyOf(files.keySet());
    }

    public boolean contains(String name) {
        return files.containsKey(name);
    }

    /** The type named so, parsed from its file. */
    public Optional<EventType> type(String name) {
        String text = files.get(name);
        return text == null ? Optional.empty() : Optional.of(parsed.computeIfAbsent(name, n -> parse(n, text)));
    }

    /** Every type, in catalog order. */
    public List<EventType> types() {
        return names().stream().map(name -> type(name).orElseThrow()).toList();
    }

    /** Whether an agent may subscribe to {@code pattern}: a type, {@code *}, or a family with a type ({@code task.*}). */
    public boolean subscribable(String pattern) {
        if (pattern.equals("*")) {
            return !files.isEmpty();
        }
        if (pattern.endsWith(".*")) {
            String prefix = pattern.substring(0, pattern.length() - 1);
            return files.keySet().stream().anyMatch(name -> name.startsWith(prefix));
        }
        return files.containsKey(pattern);
    }

    /** Whether a subscription to {@code pattern} receives events of type {@code name}. */
    public static boolean matches(String pattern, String name) {
        return pattern.equals("*")
                || pattern.equals(name)
                || (pattern.endsWith(".*") && name.startsWith(pattern.substring(0, pattern.length() - 1)));
    }

    /**
     * Refuses the {@code events} an agent may not subscribe to (see {@link #subscribable}), each named with the closest
     * known name; those in {@code alreadyStored} pass (an agent stored before the catalog, or before a type was
     * removed, keeps them: they match nothing).
     */
    public void checkSubscriptions(List<String> events, Collection<String> alreadyStored) {
        List<String> problems = new ArrayList<>();
        for (String event : events) {
            if (subscribable(event) || alreadyStored.contains(event)) {
                continue;
            }
            String problem = event.endsWith(".*")
                    ? "\"" + event + "\" names no family of known event types"
                    : "\"" + event + "\" is not a known event type";
            problems.add(closest(event)
                    .map(known -> problem + "; did you mean \"" + known + "\"?")
                    .orElse(problem + "; GET /event-types/ lists them."));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(String.join(" ", problems), Map.of("events", problems));
        }
    }

    /** The known name (or family, for a {@code .*} pattern) closest to {@code unknown}, if one is close. */
    public Optional<String> closest(String unknown) {
        Stream<String> candidates = unknown.endsWith(".*")
                ? files.keySet().stream()
                        .map(name -> EventType.family(name) + ".*")
                        .distinct()
                : files.keySet().stream();
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : (Iterable<String>) candidates::iterator) {
            int distance = distance(unknown, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= SUGGESTION_DISTANCE ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance (names are at most 100 characters). */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static EventType parse(String name, String text) {
        JsonValue file;
        try {
            file = Json.parse(text);
        } catch (Json.MalformedJsonException e) {
            throw new IllegalStateException("event-types/" + name + SUFFIX + " is not valid JSON", e);
        }
        if (!name.equals(file.path("name").asText(null))) {
            throw new IllegalStateException("event-types/" + name + SUFFIX + " names another type: "
                    + file.path("name").asText(null));
        }
        Map<String, String> payload = new LinkedHashMap<>();
        JsonValue mapping = file.path("payload");
        if (mapping.isObject()) {
            mapping.properties()
                    .forEach(e -> payload.put(e.getKey(), e.getValue().asText()));
        }
        return new EventType(
                name,
                file.path("description").asText(""),
                file.path("deprecated").asBoolean(),
                file.get("schema"),
                file.get("example"),
                payload);
    }

    /** The catalog files bundled in the jar (or classes folder) that holds this class. */
    private static Map<String, String> bundledFiles() {
        try {
            Path source = Path.of(EventCatalog.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isDirectory(source)) {
                return folderFiles(source.resolve(FOLDER));
            }
            Map<String, String> files = new TreeMap<>();
            try (JarFile jar = new JarFile(source.toFile())) {
                var entries = jar.entries();
                while (entries.hasMoreElements()) {
                    var entry = entries.nextElement();
                    String path = entry.getName();
                    if (path.startsWith(FOLDER) && path.endsWith(SUFFIX) && path.indexOf('/', FOLDER.length()) < 0) {
                        try (var in = jar.getInputStream(entry)) {
                            files.put(
                                    path.substring(FOLDER.length(), path.length() - SUFFIX.length()),
                                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the event catalog", e);
        } catch (URISyntaxException | SecurityException e) {
            throw new IllegalStateException("Cannot locate the event catalog", e);
        }
    }

    private static Map<String, String> folderFiles(Path folder) {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return files;
        }
        try (Stream<Path> paths = Files.list(folder)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                String file = path.getFileName().toString();
                if (file.endsWith(SUFFIX)) {
                    files.put(file.substring(0, file.length() - SUFFIX.length()), Files.readString(path));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the event types of " + folder, e);
        }
        return files;
    }
}
