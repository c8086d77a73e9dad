package ai.avala.agents.local.stack;

import static ai.avala.agents.local.stack.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.json.Json;
import ai.avala.agents.json.JsonValue;
import ai.avala.agents.local.emulator.CallbackReceiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code local/run} as a user runs it (the stack's main class in a JVM and a session of its own): its standard
 * output is JSON lines only, the functions' carrying their function and request id, metrics after a delivery,
 * no key or secret; and Ctrl-C (SIGINT to the session, as a terminal sends it) stops it within 5 s, moto last.
 */
class LocalRunOutputTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void itsOutput_shouldBeJsonLinesOnly_andCtrlCShouldStopItWithin5SecondsEmulatorLast() throws Exception {
        Path ready = Files.createTempFile("local-run-", ".json");
        Files.delete(ready);
        Path out = Files.createTempFile("local-run-", ".out");
        String key = "avk_run_" + UUID.randomUUID();
        Process run = new ProcessBuilder(
                        "/usr/bin/setsid",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        DevStack.class.getName(),
                        "--port",
                        "0",
                        "--ready-file",
                        ready.toString(),
                        "--allow-local-callbacks",
                        "--api-key",
                        "acme=" + key)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (CallbackReceiver receiver = new CallbackReceiver()) {
            eventually(Duration.ofSeconds(60), () -> assertThat(ready).exists());
            JsonValue info = Json.parse(Files.readString(ready));
            ApiClient api = new ApiClient(info.get("api_url").asText(), key);
            var created = api.post(
                    "/agents/",
                    "{\"name\": \"logged\", \"events\": [\"task.completed\"], \"callback_url\": \""
                            + receiver.url("/logged") + "\"}");
            assertThat(created.status()).isEqualTo(201);
            String secret = created.json().get("secret").asText();
            CountDownLatch never = new CountDownLatch(1);
            receiver.answer("/logged", CallbackReceiver.Answer.json(200, "{}"), CallbackReceiver.Answer.after(never));
            try (SqsClient sqs = SqsClient.builder()
                    .endpointOverride(URI.create(info.get("aws_endpoint").asText()))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(() ->
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testing", "testing"))
                    .build()) {
                for (int i = 0; i < 2; i++) {
                    sqs.sendMessage(r -> r.queueUrl(info.get("queue_url").asText())
                            .messageBody(Json.write(Map.of(
                                    "id",
                                    "evt_" + UUID.randomUUID(),
                                    "type",
                                    "task.completed",
                                    "tenant",
                                    "acme",
                                    "task",
                                    "task_1"))));
                }
            }
            // One delivery done, the second held by its receiver: a callback in flight when Ctrl-C comes.
            eventually(WAIT, () -> assertThat(receiver.calls("/logged")).hasSize(2));
            eventually(
                    WAIT,
                    () -> assertThat(lines(out)).anySatisfy(line -> {
                        assertThat(line.has("_aws")).isTrue();
                        assertThat(line.path("Outcome").asText("")).isEqualTo("success");
                    }));

            long interrupted = System.nanoTime();
            new ProcessBuilder("kill", "-INT", "--", "-" + run.pid()).start().waitFor();
            assertThat(run.waitFor(5, TimeUnit.SECONDS))
                    .as("local/run stopped within 5 s of Ctrl-C")
                    .isTrue();
            System.out.printf("local/run stopped %d ms after Ctrl-C%n", (System.nanoTime() - interrupted) / 1_000_000);
            never.countDown();

            URI moto = URI.create(info.get("aws_endpoint").asText());
            assertThat(listening(moto)).as("moto stopped with it").isFalse();
            String text = Files.readString(out);
            assertThat(text).doesNotContain(key).doesNotContain(secret).doesNotContain("Connection refused");
            List<JsonValue> lines = lines(out);
            List<JsonValue> functions = lines.stream()
                    .filter(line -> !"local-stack".equals(line.path("source").asText("")))
                    .toList();
            assertThat(functions).isNotEmpty().allSatisfy(line -> {
                assertThat(line.path("function").asText("")).as(line.toString()).endsWith("Function");
                assertThat(line.path("request_id").asText(""))
                        .as(line.toString())
                        .isNotBlank();
            });
            assertThat(functions)
                    .filteredOn(line -> line.has("_aws"))
                    .anySatisfy(
                            line -> assertThat(line.path("Deliveries").asInt()).isEqualTo(1))
                    .anySatisfy(line -> assertThat(line.path("FanOut").asInt()).isEqualTo(1));
            List<String> stack = lines.stream()
                    .filter(line -> "local-stack".equals(line.path("source").asText("")))
                    .map(line -> line.get("message").asText())
                    .toList();
            assertThat(stack).endsWith("Stopping the local stack", "Local stack stopped");
        } finally {
            run.destroyForcibly();
        }
    }

    /** Every line of the output, each of which must be a JSON object. */
    private static List<JsonValue> lines(Path out) {
        List<String> read;
        try {
            read = Files.readAllLines(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<JsonValue> parsed = new ArrayList<>();
        for (String line : read) {
            if (line.isBlank()) {
                continue;
            }
            JsonValue value = Json.parse(line);
            assertThat(value.isObject()).as(line).isTrue();
            parsed.add(value);
        }
        return parsed;
    }

    private static boolean listening(URI endpoint) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
