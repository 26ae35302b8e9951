package org.equiflow.cli;

import java.io.PrintWriter;
import org.equiflow.api.InvalidSettingException;
import org.equiflow.api.RunFailure;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `equiflow` command: one subcommand per job. */
@Command(name = "equiflow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A language and compiler for normalizing-flow samplers of lattice field theories.",
        subcommands = {CheckCommand.class, IrCommand.class, TrainCommand.class, SampleCommand.class, RunCommand.class, ScanCommand.class, HmcCommand.class, CorrelateCommand.class, CompareCommand.class,
                ScriptCommand.class, BenchCommand.class, LspCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        if (DistributedOptions.launchedAsOtherThanRankZero(System.getenv())) {
            // Under an MPI launcher every rank parses the same command line, and rank 0 says what is wrong
            // with it. The others exit 0 on a usage error: a non-zero status would make the launcher end the
            // job, rank 0 included, perhaps before rank 0 has printed why.
            var usage = new boolean[1];
            int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                    new PrintWriter(java.io.Writer.nullWriter()), usage);
            System.exit(usage[0] ? 0 : code);
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. Used by tests. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, out, err, err, new boolean[1]);
    }

    /**
     * As {@link #execute(String[], PrintWriter, PrintWriter)}, with usage errors (unknown options, bad
     * values) to {@code usageErrors}, and {@code usage[0]} set when the command line was one.
     */
    static int execute(String[] args, PrintWriter out, PrintWriter err, PrintWriter usageErrors, boolean[] usage) {
        var cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(usageErrors);
        CommandLine.IParameterExceptionHandler parse = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((ex, arguments) -> {
            usage[0] = true;
            return parse.handleParseException(ex, arguments);
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof RunFailure) {
                err.println("error: " + ex.getMessage());
                return 1;
            }
            // A setting the API found out of range (a script's value, or one contradicting a resumed run): a usage error like a flag's.
            if (ex instanceof InvalidSettingException) {
                return cli.getParameterExceptionHandler().handleParseException(
                        new CommandLine.ParameterException(commandLine, "error: " + ex.getMessage()), args);
            }
            if (ex instanceof java.io.IOException io) {
                err.println("error: " + describe(io));
                err.println("   help: check that the path exists and is writable, and that the disk is not full");
                return 1;
            }
            // A user mistake never reaches here; anything that does is our bug.
            err.println("internal error, please report: " + ex);
            for (StackTraceElement e : ex.getStackTrace()) err.println("    at " + e);
            return 70;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // The estimates before a job refuse what clearly does not fit; this is the last resort for what slipped through.
            long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
            err.println("error: out of memory: the job needed more than the JVM's " + heapMiB + " MiB heap");
            err.println("   help: give the JVM more memory, e.g. EQUIFLOW_JAVA_OPTS=-Xmx" + (2 * (heapMiB >> 10) + 2)
                    + "g, or use a smaller --batch, --count or smaller nets");
            return 1;
        }
    }

    private static String describe(java.io.IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such file or directory: " + n.getFile();
            case java.nio.file.AccessDeniedException a -> "permission denied: " + a.getFile();
            case java.nio.file.FileAlreadyExistsException f -> "a file is in the way: " + f.getFile();
            default -> e.getClass().getSimpleName() + ": " + e.getMessage();
        };
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"equiflow " + (v == null ? "development build" : v) + " (Java " + Runtime.version() + ")",
                    "Truffle runtime: " + com.oracle.truffle.api.Truffle.getRuntime().getName()};
        }
    }
}
