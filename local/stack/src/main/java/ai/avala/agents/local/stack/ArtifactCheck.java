package ai.avala.agents.local.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code .ci/run}'s check of what {@code sam build} made: every function's artifact (its shrunk jars
 * included) started in a fresh JVM, as Lambda starts it, answers one real request through the local stack on
 * moto with the success that request must get; then each runs once more as on AWS (public endpoints, the
 * role's credentials from a container endpoint), where no class or member its shrunk jars left out may be
 * missing. Exit 1 on any failure.
 */
public final class ArtifactCheck {

    private ArtifactCheck() {}

    public static void main(String[] args) throws Exception {
        if (!Files.isDirectory(Path.of(".aws-sam", "build"))) {
            System.err.println("No .aws-sam/build: run sam build first.");
            System.exit(1);
        }
        List<String> problems;
        try (DevStack stack = DevStack.start(Options.of(0, null, Map.of(), true))) {
            problems = new ArrayList<>(ColdStarts.check(stack));
            System.out.println(
                    "The same artifacts as on AWS: public endpoints, container credentials (the calls fail at the network here)");
            problems.addAll(ColdStarts.checkProductionPath(stack));
        }
        problems.forEach(problem -> System.err.println("FAIL " + problem));
        System.out.println(problems.isEmpty() ? "Every artifact answered." : problems.size() + " artifact(s) failed.");
        System.exit(problems.isEmpty() ? 0 : 1);
    }
}
