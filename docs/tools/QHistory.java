// Topological-charge histories of HMC (one chain) and of a flow's Metropolis chain (its ensemble.npy), with
// τ_int(Q) by the Γ-method and a PNG plot. Run from the repository root after `mvn -B -q -DskipTests package`:
//   java --add-modules jdk.incubator.vector -cp "runtime/cli/target/equiflow.jar:runtime/cli/target/lib/*" \
//        docs/tools/QHistory.java examples/u1_gauge.flow RUN/ensemble.npy out.png TRAJECTORIES L BETA
import java.nio.file.*;
import java.util.*;
import org.equiflow.compiler.Compiler;
import org.equiflow.physics.GaugeObservables;
import org.equiflow.sample.Hmc;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.io.Npy;
import org.knowm.xchart.*;

/** Q histories: HMC (one chain) vs the flow's Metropolis chain, L=16, beta=6. */
public class QHistory {
    public static void main(String[] a) throws Exception {
        Path script = Path.of(a[0]);
        var checked = Compiler.check(script, "u1_gauge.flow", Map.of("G.lattice", "[" + a[4] + ", " + a[4] + "]", "G.beta", a[5]));
        var program = checked.program().orElseThrow();
        var theory = program.theories().get(0);
        int size = Integer.parseInt(a[4]);
        var gauge = new GaugeObservables(List.of(size, size));
        int n = Integer.parseInt(a[3]);
        var hmc = new Hmc(theory, program.names(), 1, 99);
        for (int k = 0; k < 500; k++) hmc.trajectory(0.1, 10);
        double[] qh = new double[n];
        float[] cfg = new float[2 * size * size];
        int acc = 0;
        for (int k = 0; k < n; k++) {
            acc += hmc.trajectory(0.1, 10);
            for (int i = 0; i < cfg.length; i++) cfg[i] = (float) hmc.field().get(i);
            qh[k] = Math.rint(gauge.topologicalCharge(cfg, 0));
        }
        var ens = Npy.readFloats(Path.of(a[1]));
        int count = ens.shape()[0];
        double[] qf = new double[count];
        for (int c = 0; c < count; c++) qf[c] = Math.rint(gauge.topologicalCharge(ens.data(), c));
        for (var e : List.of(Map.entry("HMC", qh), Map.entry("flow", qf))) {
            double[] q = e.getValue();
            int changes = 0;
            for (int i = 1; i < q.length; i++) if (q[i] != q[i - 1]) changes++;
            var g = Autocorrelation.gamma(q);
            double q2 = 0; for (double v : q) q2 += v * v; q2 /= q.length;
            System.out.printf("%s: %d steps, Q changes %d, <Q> %.3f +- %.3f, tau_int(Q) %.1f +- %.1f, <Q^2> %.3f%n", e.getKey(), q.length, changes, g.mean(), g.error(), g.tauInt(), g.tauIntError(), q2);
        }
        System.out.printf("HMC acceptance %.3f%n", acc / (double) n);
        int m = Math.min(qh.length, qf.length);
        double[] x = new double[m];
        for (int i = 0; i < m; i++) x[i] = i;
        XYChart chart = new XYChartBuilder().width(900).height(400).title("Topological charge history, U(1) " + size + "x" + size + ", beta = " + a[5]).xAxisTitle("Markov step (HMC trajectory / flow proposal)").yAxisTitle("Q").build();
        chart.addSeries("HMC", x, Arrays.copyOf(qh, m)).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        chart.addSeries("flow + independence Metropolis", x, Arrays.copyOf(qf, m)).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, a[2], BitmapEncoder.BitmapFormat.PNG);
    }
}
