package ai.avala.agents.local.stack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.avala.agents.config.Configuration;
import ai.avala.agents.wiring.Wiring;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * How the code of {@code shared/} and {@code functions/} may depend on itself: platform (no domain
 * knowledge) <- domain <- the HTTP adapter <- the composition root <- the functions, with no package cycles;
 * the environment read in one place; every handler built the same two ways.
 */
class ArchitectureTest {

    private static final String ROOT = "ai.avala.agents";
    private static final JavaClasses CODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("/ai/avala/agents/local/"))
            .importPackages(ROOT);

    @Test
    void layers_shouldOnlyDependDownwards() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Platform")
                .definedBy(packages("json", "lambda", "log", "metrics", "aws", "config", "ids"))
                .layer("Domain")
                .definedBy(packages(
                        "model",
                        "errors",
                        "catalog",
                        "store",
                        "service",
                        "paging",
                        "dispatch",
                        "delivery",
                        "stats",
                        "callback"))
                .layer("Api")
                .definedBy(packages("api"))
                .layer("Wiring")
                .definedBy(packages("wiring"))
                .layer("Functions")
                .definedBy(packages("functions"))
                .whereLayer("Functions")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Wiring")
                .mayOnlyBeAccessedByLayers("Functions")
                .whereLayer("Api")
                .mayOnlyBeAccessedByLayers("Functions")
                .whereLayer("Domain")
                .mayOnlyBeAccessedByLayers("Api", "Wiring", "Functions")
                .whereLayer("Platform")
                .mayOnlyBeAccessedByLayers("Domain", "Api", "Wiring", "Functions")
                .check(CODE);
    }

    @Test
    void everyClass_shouldBeInALayer() {
        assertThat(CODE.stream()
                        .map(JavaClass::getPackageName)
                        .filter(name -> !name.startsWith(ROOT + ".functions."))
                        .map(name -> name.substring(ROOT.length() + 1).split("\\.")[0])
                        .distinct())
                .as("a new package must be placed in a layer of layers_shouldOnlyDependDownwards")
                .isSubsetOf(
                        "json",
                        "lambda",
                        "log",
                        "metrics",
                        "aws",
                        "config",
                        "ids",
                        "model",
                        "errors",
                        "catalog",
                        "store",
                        "service",
                        "paging",
                        "dispatch",
                        "delivery",
                        "stats",
                        "callback",
                        "api",
                        "wiring");
    }

    @Test
    void packages_shouldBeFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CODE);
        slices().matching(ROOT + ".functions.(*)..").should().beFreeOfCycles().check(CODE);
    }

    @Test
    void onlyTheConfigurationRecord_shouldReadTheEnvironment() {
        noClasses()
                .that()
                .doNotBelongToAnyOf(Configuration.class)
                .should()
                .callMethod(System.class, "getenv")
                .orShould()
                .callMethod(System.class, "getenv", String.class)
                .because("every environment variable is read, defaulted and validated by Configuration")
                .check(CODE);
        noClasses()
                .that()
                .doNotBelongToAnyOf(Configuration.class, Wiring.class)
                .should()
                .callMethod(Configuration.class, "fromProcessEnvironment")
                .because("the composition root (Wiring) alone hands the function's configuration out")
                .check(CODE);
    }

    @Test
    void everyHandler_shouldHaveLambdasConstructorAndTheOneTheLocalStackAndTestsCall() {
        Map<String, List<String>> constructors = new TreeMap<>();
        CODE.stream()
                .filter(type -> type.isAssignableTo(RequestStreamHandler.class))
                .filter(type -> !type.getModifiers().contains(JavaModifier.ABSTRACT))
                .forEach(type -> constructors.put(
                        type.getSimpleName(),
                        type.getConstructors().stream()
                                .filter(constructor ->
                                        constructor.getModifiers().contains(JavaModifier.PUBLIC))
                                .map(ArchitectureTest::parameters)
                                .sorted()
                                .toList()));

        assertThat(constructors).hasSize(18);
        assertThat(constructors)
                .allSatisfy((handler, publicConstructors) ->
                        assertThat(publicConstructors).as(handler).containsExactly("()", "(Wiring)"));
    }

    private static String parameters(JavaConstructor constructor) {
        return constructor.getRawParameterTypes().stream()
                .map(JavaClass::getSimpleName)
                .reduce((a, b) -> a + ", " + b)
                .map(list -> "(" + list + ")")
                .orElse("()");
    }

    private static String[] packages(String... names) {
        return java.util.Arrays.stream(names)
                .map(name -> ROOT + "." + name + "..")
                .toArray(String[]::new);
    }
}
