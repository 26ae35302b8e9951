package org.equiflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency direction of the whole program, over the main classes of every module (this
 * module's test class path holds them all): no package cycle anywhere, and the layers of
 * docs/architecture.md depend only downwards. Maven already refuses an upward dependency between
 * modules; these rules also hold inside a module, where the compiler would not notice.
 */
class LayeringTest {

    /** Main classes only: a module's test classes and its test-jar may reach across layers. */
    private static final ImportOption MAIN_CLASSES_ONLY = (Location location) ->
            !location.contains("/test-classes/") && !location.matches(java.util.regex.Pattern.compile(".*-tests\\.jar.*"));

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(MAIN_CLASSES_ONLY).importPackages("org.equiflow");
    }

    @Test
    void everyModuleIsOnTheClassPath() {
        for (String pkg : new String[] {"org.equiflow.grammar", "org.equiflow.compiler", "org.equiflow.lsp", "org.equiflow.tensor", "org.equiflow.tensor.cpu",
                "org.equiflow.optim", "org.equiflow.distributed", "org.equiflow.tensor.opencl", "org.equiflow.truffle", "org.equiflow.prior", "org.equiflow.sample",
                "org.equiflow.train", "org.equiflow.physics", "org.equiflow.api", "org.equiflow.bench", "org.equiflow.cli"}) {
            assertTrue(classes.containPackage(pkg), pkg + " was not imported, so the rules below would pass vacuously");
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.equiflow.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("grammar").definedBy("org.equiflow.grammar..")
                .layer("compiler").definedBy("org.equiflow.compiler..")
                .layer("lsp").definedBy("org.equiflow.lsp..")
                .layer("tensor").definedBy("org.equiflow.tensor", "org.equiflow.tensor.cpu..", "org.equiflow.optim..", "org.equiflow.distributed..")
                .layer("opencl").definedBy("org.equiflow.tensor.opencl..")
                .layer("engine").definedBy("org.equiflow.truffle..", "org.equiflow.prior..")
                .layer("lattice").definedBy("org.equiflow.stats..", "org.equiflow.physics..", "org.equiflow.sample..",
                        "org.equiflow.train..", "org.equiflow.io..", "org.equiflow.api..")
                .layer("bench").definedBy("org.equiflow.bench..")
                .layer("cli").definedBy("org.equiflow.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                // The language server sits on the compiler alone; only the command line starts it.
                .whereLayer("lsp").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("lattice").mayOnlyBeAccessedByLayers("bench", "cli")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("lattice", "bench", "cli")
                // Found through ServiceLoader (tensor.DeviceBackendProvider), never named.
                .whereLayer("opencl").mayNotBeAccessedByAnyLayer()
                .whereLayer("tensor").mayOnlyBeAccessedByLayers("opencl", "engine", "lattice", "bench", "cli")
                .whereLayer("compiler").mayOnlyBeAccessedByLayers("lsp", "engine", "lattice", "bench", "cli")
                .whereLayer("grammar").mayOnlyBeAccessedByLayers("compiler", "lsp")
                .check(classes);
    }

    /** tensor.cpu holds array kernels; the tensor types and primitives sit above them. */
    @Test
    void cpuKernelsKnowOnlyArrays() {
        noClasses().that().resideInAPackage("org.equiflow.tensor.cpu..")
                .should().dependOnClassesThat().resideInAPackage("org.equiflow.tensor")
                .check(classes);
    }

    /**
     * Statistics are plain numerics: no tensors, no flows, no files. The JDK's Vector API is plain
     * numerics too (the Γ-method sums its lags in float64 vectors).
     */
    @Test
    void statisticsDependOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("org.equiflow.stats..")
                .should().dependOnClassesThat().resideOutsideOfPackages("org.equiflow.stats..", "java..", "jdk.incubator.vector..")
                .check(classes);
    }

    /** Measurements are defined on configurations, not on how they were drawn or trained. */
    @Test
    void physicsDoesNotDependOnSamplersOrTraining() {
        noClasses().that().resideInAPackage("org.equiflow.physics..")
                .should().dependOnClassesThat().resideInAnyPackage("org.equiflow.sample..", "org.equiflow.train..", "org.equiflow.api..")
                .check(classes);
    }

    /** The API is what the command line and Java programs share: it neither parses flags nor draws progress bars. */
    @Test
    void theApiKnowsNothingOfTheCommandLine() {
        noClasses().that().resideInAPackage("org.equiflow.api..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "me.tongfei.progressbar..", "org.equiflow.cli..")
                .check(classes);
    }
}
