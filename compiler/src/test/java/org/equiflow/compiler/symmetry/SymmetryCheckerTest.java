package org.equiflow.compiler.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.model.FlowModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checker's verdicts where the runtime cannot (yet) confirm them by running the flow —
 * gauge-equivariant plaquette couplings, dense stages — and its reporting: claims, warnings,
 * --strict, symmetrize z2, --explain, and the action checks.
 */
class SymmetryCheckerTest {
    static final Path EXAMPLES = Path.of("").toAbsolutePath().resolveSibling("examples");

    @TempDir
    Path dir;

    private Compiler.Result check(String source, boolean strict) throws IOException {
        Path file = dir.resolve("t" + System.nanoTime() + ".flow");
        Files.writeString(file, source);
        return Compiler.check(file, "t.flow", Map.of(), strict);
    }

    private static FlowModel flow(Compiler.Result r) { return r.program().orElseThrow().flows().get(0); }

    @Test
    void gaugeExampleIsGaugeEquivariantAndTranslationRestrictedToPeriodFour() {
        var r = Compiler.check(EXAMPLES.resolve("u1_gauge.flow"), "u1_gauge.flow");
        assertTrue(r.ok());
        assertTrue(r.diagnostics().all().isEmpty(), () -> r.diagnostics().all().toString());
        var a = FlowSymmetry.analyse(flow(r));
        assertEquals(Status.HOLDS, a.of("gauge").status());
        assertEquals(Status.RESTRICTED, a.of("translation").status());
        assertTrue(a.of("translation").allowsShift(new int[] {4, 8}));
        assertFalse(a.of("translation").allowsShift(new int[] {2, 0}), "link masks repeat with period 4 across their rows");
        assertFalse(a.of("translation").allowsShift(new int[] {0, 1}));
        for (var layer : a.layers()) assertEquals(Status.HOLDS, layer.judgements().get("gauge").status());
    }

    @Test
    void aDenseConditionerKeepsGaugeButBreaksTranslation() throws IOException {
        var r = check("""
                use std.theories.u1
                use std.nets.{conv, dense}
                use std.gauge.{plaquette_coupling, link_mask, ncp_mixture}
                theory G = u1(lattice = [8, 8], beta = 2.0)
                flow f for G equivariant gauge {
                    prior haar
                    plaquette_coupling(links = link_mask(mu = 0), transform = ncp_mixture(), net = conv(channels = 4) >> tanh >> dense())
                }
                """, false);
        // The symmetry phase judges the dense net (gauge holds: the claim gives no E0410;
        // translation breaks: W0410); the runtime then refuses `dense` itself (E0800).
        List<Diagnostic> ds = r.diagnostics().all();
        assertEquals(List.of(ErrorCode.W0410, ErrorCode.E0800), ds.stream().map(Diagnostic::code).toList(), ds::toString);
        assertTrue(ds.get(0).message().contains("`translation`"));
        assertTrue(ds.get(1).message().contains("dense"));
    }

    @Test
    void strictTurnsTheWarningIntoAnError() {
        Path tutorial = EXAMPLES.resolve("phi4_tutorial.flow");
        var lenient = Compiler.check(tutorial, "phi4_tutorial.flow", Map.of(), false);
        assertTrue(lenient.ok());
        assertEquals(1, lenient.diagnostics().warningCount(), "one warning for z2; translation holds on the checkerboard subgroup");
        var strict = Compiler.check(tutorial, "phi4_tutorial.flow", Map.of(), true);
        assertFalse(strict.ok());
        Diagnostic d = strict.diagnostics().all().get(0);
        assertEquals(ErrorCode.W0410, d.code());
        assertEquals(Severity.ERROR, d.severity());
        assertTrue(d.help().stream().anyMatch(h -> h.contains("--strict")));
    }

    @Test
    void symmetrizeMakesAnyFlowZ2Invariant() throws IOException {
        var r = check("""
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory T = phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)
                flow f for T equivariant z2 {
                    prior normal()
                    affine(mask = checkerboard(), net = cnn(act = leaky_relu))
                    symmetrize z2
                }
                """, true);
        assertTrue(r.ok(), () -> r.diagnostics().all().toString());
        assertTrue(r.diagnostics().all().isEmpty());
        var a = FlowSymmetry.analyse(flow(r));
        assertEquals(Status.HOLDS, a.of("z2").status());
        assertEquals(Status.BROKEN, a.layers().get(0).judgements().get("z2").status(), "the layer itself is not equivariant");
    }

    @Test
    void explainSaysPerLayerWhatHoldsAndWhy() {
        var r = Compiler.check(EXAMPLES.resolve("phi4_tutorial.flow"), "phi4_tutorial.flow");
        String text = Explanation.explain(flow(r));
        assertTrue(text.contains("layer 15 affine mask=checkerboard(parity = 1)"), text);
        assertTrue(text.contains("z2: broken"), text);
        assertTrue(text.contains("leaky_relu is neither odd nor even"), text);
        assertTrue(text.contains("translation: holds for a subgroup (shifts a with a0 + a1 even)"), text);
        var z2 = Compiler.check(EXAMPLES.resolve("phi4_z2.flow"), "phi4_z2.flow");
        String ok = Explanation.explain(flow(z2));
        assertTrue(ok.contains("z2: holds  [claimed: ok]"), ok);
    }

    /** Terms of actions: the parity algebra of docs/symmetry.md on lattice expressions. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "phi[x]^2 + lambda * phi[x]^4 | true",
            "phi[x] * sum mu { phi[x + mu] } | true",
            "-beta * phi[x] * sum mu { phi[x + mu] } + (phi[x]^2 - 1)^2 | true",
            "phi[x]^3 * phi[x + mu0] | true",
            "cosh(phi[x]) + abs(phi[x]) + cos(phi[x]) + tanh(phi[x])^2 | true",
            "phi[x]^2 / (1 + phi[x]^2) | true",
            "phi[x]^2.0 + phi[x]^-2 | true",
            "phi[x]^3.0 | false",
            "phi[x]^3 | false",
            "phi[x]^2 + phi[x] | false",
            "exp(phi[x]) | false",
            "sigmoid(phi[x]^2) + tanh(phi[x]) | false",
    })
    void actionParity(String body, boolean even) throws IOException {
        String b = body.replace("mu0", "mu").contains("mu") && !body.contains("sum mu") ? "sum mu { " + body.replace("mu0", "mu") + " }" : body;
        var r = check("theory t(lattice: shape, beta: real, lambda: real) {\n    field phi: real on sites\n    action sum x { "
                + b + " }\n    symmetry z2: phi -> -phi\n}\n", false);
        assertEquals(even, r.ok(), () -> body + ": " + r.diagnostics().all());
        if (!even) assertEquals(ErrorCode.E0402, r.diagnostics().all().get(0).code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-beta * sum x { sum mu < nu { re(plaquette(U, x, mu, nu)) } } | true",
            "sum x { arg(plaquette(U, x, 0, 1))^2 + im(wilson_loop(U, x, 0, 1, 2, 1)) } | true",
            "sum x { re(U[x, 0]) } | false",
            "sum x { re(plaquette(U, x, 0, 1)) * re(U[x, 1]) } | false",
    })
    void u1ActionGaugeInvariance(String action, boolean invariant) throws IOException {
        var r = check("theory g(lattice: shape, beta: real) {\n    field U: U(1) on links\n    action " + action
                + "\n    symmetry gauge\n}\n", false);
        assertEquals(invariant, r.ok(), () -> action + ": " + r.diagnostics().all());
        if (!invariant) assertEquals(ErrorCode.E0402, r.diagnostics().all().get(0).code(), () -> r.diagnostics().all().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-beta * sum x { sum mu < nu { re(tr(plaquette(U, x, mu, nu))) } } | true",
            "sum x { re(tr(plaquette(U, x, 0, 1) * plaquette(U, x, 1, 0))) } | false",
            "sum x { re(tr(U[x, 0])) } | false",
    })
    void suNActionGaugeInvariance(String action, boolean invariant) throws IOException {
        var r = check("theory g(lattice: shape, beta: real) {\n    field U: SU(2) on links\n    action " + action
                + "\n    symmetry gauge\n}\n", false);
        assertEquals(invariant, r.ok(), () -> action + ": " + r.diagnostics().all());
        if (!invariant) assertEquals(ErrorCode.E0402, r.diagnostics().all().get(0).code(), () -> r.diagnostics().all().toString());
    }
}
