package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.equiflow.api.Comparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow compare DIR DIR…`: flow, HMC and exact answers side by side, with pulls and the cost of each run. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare run directories of one theory (flow runs, HMC runs): every common observable with errors, the exact"
                + " value where the theory has one, pulls (!! marks |pull| ≥ 3), and τ_int, effective samples and wall time per run.")
final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run directories, as `run`, `sample` and `hmc` write them (at least two).")
    List<Path> directories = new ArrayList<>();
    @Option(names = "--markdown", description = "Print the tables as Markdown.") boolean markdown;
    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the observables to FILE and the cost table to FILE-cost.csv.") Path csv;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Comparison comparison = Comparison.load(directories);
        out.print(markdown ? comparison.markdown() : comparison.text());
        if (csv != null) {
            Path cost = comparison.writeCsv(csv);
            out.println();
            out.println("tables: " + csv + ", " + cost);
        }
        out.flush();
        return 0;
    }
}
