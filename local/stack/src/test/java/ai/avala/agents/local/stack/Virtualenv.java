package ai.avala.agents.local.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Python virtualenv under target/ with pinned packages, created once per clean build (Python tools the tests run). */
final class Virtualenv {

    private Virtualenv() {}

    /** target/{@code name} with {@code packages} installed; its folder. */
    static Path with(String name, List<String> packages) throws IOException, InterruptedException {
        Path venv = Path.of("target", name).toAbsolutePath();
        Path marker = venv.resolve(".installed");
        String wanted = String.join(" ", packages);
        if (Files.exists(marker) && Files.readString(marker).equals(wanted)) {
            return venv;
        }
        run(List.of(System.getenv().getOrDefault("PYTHON", "python3"), "-m", "venv", "--clear", venv.toString()));
        List<String> install = new ArrayList<>(
                List.of(venv.resolve("bin/pip").toString(), "install", "--quiet", "--disable-pip-version-check"));
        install.addAll(packages);
        run(install);
        Files.writeString(marker, wanted);
        return venv;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("Failed: " + String.join(" ", command) + "\n" + output);
        }
    }
}
