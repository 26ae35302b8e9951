package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.equiflow.api.CorrelationException.Problem;
import org.equiflow.physics.ExactAnswers;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Correlated ensembles on the free field, where ⟨φ²⟩ is known exactly at every m²: an HMC ensemble
 * at m² = 1.25 reweighted (through the identity and through a briefly trained map) to m² = 1.5
 * must give the exact ⟨φ²⟩ there within its error; and what cannot be correlated is refused.
 */
class CorrelationTest {
    private static final Path FREE = Repository.root().resolve("examples/free_field.flow");
    private static final Map<String, String> SMALL = Map.of("Free.lattice", "[4,4]");
    @TempDir static Path runs;
    private static Path ensemble;

    @BeforeAll
    static void hmcAtTheFirstMass() throws Exception {
        ensemble = runs.resolve("hmc");
        Session.open(FREE, SMALL).hmc(HmcOptions.builder().trajectories(500).thermalize(50).chains(4).seed(3).out(ensemble).build());
    }

    private static double exactPhi2(double m2) throws Exception {
        var theory = Session.open(FREE, Map.of("Free.lattice", "[4,4]", "Free.m2", Double.toString(m2))).program().theories().get(0);
        return ((ExactAnswers.Known) ExactAnswers.of(theory)).answer().values().get("phi2");
    }

    @Test
    void reweightedPhi2AtTheSecondMassIsTheExactOne() throws Exception {
        var result = Session.open(FREE, SMALL).correlate(CorrelationOptions.builder().ensemble(ensemble).toSet("Free.m2", "1.5")
                .steps(30).batch(32).learningRate(3e-3).out(runs.resolve("correlated")).build());
        double first = exactPhi2(1.25), second = exactPhi2(1.5);
        var phi2 = result.observable("phi2").orElseThrow();
        for (var estimate : new org.equiflow.stats.Estimate[] {phi2.second(), phi2.identitySecond()}) {
            assertTrue(Math.abs(estimate.value() - second) < 4 * estimate.error(), estimate + " vs exact " + second);
        }
        assertTrue(Math.abs(phi2.first().value() - first) < 4 * phi2.first().error(), phi2.first() + " vs exact " + first);
        assertTrue(Math.abs(phi2.difference().value() - (second - first)) < 4 * phi2.difference().error(),
                phi2.difference() + " vs exact " + (second - first));
        // the correlated difference is far more precise than either end
        assertTrue(phi2.identityDifference().error() < phi2.first().error(), phi2.identityDifference() + " vs " + phi2.first());
        assertTrue(result.ess() > 0.1 && result.ess() <= 1 && result.identityEss() > 0.1, "ESS " + result.ess() + ", " + result.identityEss());
        assertEquals(30, result.losses().size());
        System.out.printf("phi2: first %s (exact %.5f), map %s, identity %s (exact %.5f), difference %s / identity %s, ESS %.3f / %.3f%n",
                phi2.first(), first, phi2.second(), phi2.identitySecond(), second, phi2.difference(), phi2.identityDifference(), result.ess(),
                result.identityEss());
        String summary = Files.readString(result.reportDirectory().resolve("summary.md"));
        assertTrue(summary.contains("phi2 α₂ − α₁ (map)") && summary.contains("ess (identity)"), summary);
        assertTrue(Files.isRegularFile(result.reportDirectory().resolve(Correlation.TABLE)));
        assertTrue(Files.isRegularFile(runs.resolve("correlated/ensemble_log_weights.npy")));

        var again = assertThrows(CorrelationException.class, () -> Session.open(FREE, SMALL).correlate(CorrelationOptions.builder()
                .ensemble(ensemble).toSet("Free.m2", "1.5").steps(0).out(runs.resolve("correlated")).build()));
        assertEquals(Problem.RESULT_EXISTS, again.problem(), again.getMessage());
        var replaced = Session.open(FREE, SMALL).correlate(CorrelationOptions.builder().ensemble(ensemble).toSet("Free.m2", "1.5").steps(0)
                .force(true).out(runs.resolve("correlated")).build());
        assertEquals(phi2.identitySecond(), replaced.observable("phi2").orElseThrow().identitySecond(), "the identity needs no training");
    }

    @Test
    void whatCannotBeCorrelatedIsRefusedWithItsProblem() throws Exception {
        Session session = Session.open(FREE, SMALL);
        var base = CorrelationOptions.builder().toSet("Free.m2", "1.5").steps(0);
        var missing = assertThrows(CorrelationException.class, () -> session.correlate(base.ensemble(runs.resolve("nowhere"))
                .out(runs.resolve("a")).build()));
        assertEquals(Problem.NO_ENSEMBLE, missing.problem());
        var lattice = assertThrows(CorrelationException.class, () -> Session.open(FREE, Map.of("Free.lattice", "[6,6]"))
                .correlate(base.ensemble(ensemble).out(runs.resolve("b")).build()));
        assertEquals(Problem.DIFFERENT_LATTICE, lattice.problem(), lattice.getMessage());
        var theory = assertThrows(CorrelationException.class, () -> Session.open(FREE, Map.of("Free.lattice", "[4,4]", "Free.m2", "2.0"))
                .correlate(base.ensemble(ensemble).out(runs.resolve("c")).build()));
        assertEquals(Problem.DIFFERENT_THEORY, theory.problem(), theory.getMessage());
        assertTrue(theory.getMessage().contains("Free.m2 = 1.25 in the ensemble"), theory.getMessage());
        var infinite = assertThrows(CorrelationException.class, () -> session.correlate(CorrelationOptions.builder().ensemble(ensemble)
                .toSet("Free.m2", "1e308").steps(0).out(runs.resolve("d")).build()));
        assertEquals(Problem.NON_FINITE_WEIGHTS, infinite.problem(), infinite.getMessage());
        assertTrue(!Files.exists(runs.resolve("d/ensemble.json")), "a refused correlation writes no result");
        assertThrows(InvalidSettingException.class, () -> session.correlate(CorrelationOptions.builder().ensemble(ensemble).out(runs.resolve("e")).build()));
    }

    @Test
    void aWeightedEnsembleIsNoSampleOfTheFirstTheory() throws Exception {
        Path weighted = runs.resolve("weighted");
        Files.createDirectories(weighted);
        for (String file : new String[] {"ensemble.npy", "ensemble.json"}) Files.copy(ensemble.resolve(file), weighted.resolve(file));
        Files.write(weighted.resolve("ensemble_log_weights.npy"), new byte[0]);
        var refused = assertThrows(CorrelationException.class, () -> Session.open(FREE, SMALL).correlate(CorrelationOptions.builder()
                .ensemble(weighted).toSet("Free.m2", "1.5").steps(0).out(runs.resolve("w")).build()));
        assertEquals(Problem.WEIGHTED_ENSEMBLE, refused.problem(), refused.getMessage());
    }

    /**
     * Zeroing the nets' last convolutions makes affine and spline couplings the identity, but not a
     * net whose output activation is not 0 at 0 (cos): that map is refused before any training.
     */
    @Test
    void aMapThatDoesNotStartAtTheIdentityIsRefused(@TempDir Path scripts) throws Exception {
        String header = """
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory Free = phi4(lattice = [4, 4], m2 = 1.25, lambda = 0.0)
                """;
        Path spline = scripts.resolve("spline.flow"), cosine = scripts.resolve("cosine.flow");
        Files.writeString(spline, header + """
                flow rqs for Free {
                    prior normal(sigma = 1.0)
                    repeat i in 0..2 {
                        spline(mask = checkerboard(parity = i % 2), net = cnn(hidden = [4], kernel = 3), bins = 4, bound = 4.0)
                    }
                }
                """);
        Files.writeString(cosine, header + """
                flow bent for Free {
                    prior normal(sigma = 1.0)
                    affine(mask = checkerboard(parity = 0), net = cnn(hidden = [4], out_act = cos))
                }
                """);
        var options = CorrelationOptions.builder().ensemble(ensemble).toSet("Free.m2", "1.5").steps(2);
        assertEquals(2, Session.open(spline).correlate(options.out(runs.resolve("spline")).build()).losses().size(),
                "a spline with zero last convolutions is the identity");
        var refused = assertThrows(CorrelationException.class, () -> Session.open(cosine).correlate(options.out(runs.resolve("cosine")).build()));
        assertEquals(Problem.NOT_IDENTITY_AT_START, refused.problem(), refused.getMessage());
        assertTrue(refused.getMessage().contains("`bent`"), refused.getMessage());
        assertTrue(!Files.exists(runs.resolve("cosine/ensemble.json")), "nothing was written");
    }
}
