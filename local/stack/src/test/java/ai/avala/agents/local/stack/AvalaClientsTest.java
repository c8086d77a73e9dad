package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The official Avala Python SDK and CLI and the avala-agents pull-mode library, pinned and installed into a virtualenv under target/, run
 * their pytest suite (src/test/python) against the local stack over real HTTP.
 */
class AvalaClientsTest {

    private static final String PULL_CLAIM_SECONDS = "6";
    private static final Pattern TEST_FUNCTION = Pattern.compile("(?m)^(?:async )?def (test_\\w+)\\(");
    private static final List<String> PACKAGES =
            List.of("avala[cli]==0.10.0", "avala-agents==0.1.1", "pytest==8.3.5", "boto3==1.43.11");

    @Test
    void pythonSdkAndCli_shouldWorkUnchangedAgainstTheLocalStack() throws Exception {
        Path venv = Virtualenv.with("client-venv", PACKAGES);
        try (DevStack stack = DevStack.start(Options.of(
                        0,
                        null,
                        Map.of("sdk", "avk_sdk_" + System.nanoTime(), "sdk_other", "avk_other_" + System.nanoTime()),
                        true)
                // Claims of pull-mode polls held seconds, not minutes: workers that die or never act are tested.
                .withEnvironment(Map.of("PULL_CLAIM_SECONDS", PULL_CLAIM_SECONDS)))) {
            Path report = Path.of("target", "client-tests.xml").toAbsolutePath();
            Files.deleteIfExists(report);
            var pytest = new ProcessBuilder(
                            venv.resolve("bin/python").toString(),
                            "-m",
                            "pytest",
                            "-q",
                            "-p",
                            "no:cacheprovider",
                            "--junitxml=" + report,
                            "src/test/python")
                    .redirectErrorStream(true);
            pytest.environment()
                    .putAll(Map.of(
                            "AVALA_BASE_URL", stack.apiUrl(),
                            "AVALA_API_KEY", stack.apiKeys().get("sdk"),
                            "AVALA_OTHER_API_KEY", stack.apiKeys().get("sdk_other"),
                            "AVALA_ALLOW_INSECURE_BASE_URL", "true",
                            "AVALA_QUEUE_URL", stack.queueUrl(),
                            "AWS_ENDPOINT_URL", stack.awsEndpoint(),
                            "AVALA_PULL_CLAIM_SECONDS", PULL_CLAIM_SECONDS));
            Process process = pytest.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
            System.out.println(output);
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(passedTests(report)).as(output).containsExactlyInAnyOrderElementsOf(declaredTests());
        }
    }

    /** The {@code test_*} functions that src/test/python declares: every one must run and pass. */
    private static List<String> declaredTests() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src", "test", "python"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("test_"))
                    .toList()) {
                Matcher test = TEST_FUNCTION.matcher(Files.readString(file));
                while (test.find()) {
                    names.add(test.group(1));
                }
            }
        }
        assertThat(names).as("src/test/python declares no tests").isNotEmpty();
        return names;
    }

    /** The tests of pytest's JUnit report that ran and neither failed, errored nor were skipped. */
    private static List<String> passedTests(Path report) throws Exception {
        var document =
                DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(report.toFile());
        NodeList cases = document.getElementsByTagName("testcase");
        List<String> passed = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            boolean clean = Stream.of("failure", "error", "skipped")
                    .allMatch(outcome -> testCase.getElementsByTagName(outcome).getLength() == 0);
            if (clean) {
                passed.add(testCase.getAttribute("name"));
            }
        }
        return passed;
    }
}
