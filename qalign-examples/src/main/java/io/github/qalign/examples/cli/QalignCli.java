package io.github.qalign.examples.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code qalign} command: test-time alignment of a language model with a reward model, on the command line.
 */
@Command(name = "qalign", mixinStandardHelpOptions = true, version = "qalign " + QalignCli.VERSION,
        subcommands = {DemoCommand.class, SampleCommand.class, SweepCommand.class, EvalCommand.class,
            ServeCommand.class, OveroptCommand.class, CommandLine.HelpCommand.class},
        description = {
            "Test-time alignment with a reward model: QAlign (MCMC over completions, 'Sample, Don't Search') and "
                + "the baselines best-of-n (bon), majority vote (mv), weighted majority vote (wmv) and minimum "
                + "Bayes risk (mbr).",
            "",
            "Start with 'qalign demo': it runs offline on the embedded TinyStories policy and reward model.",
            "",
            "Key ideas: the BUDGET is the number of samples per prompt (QAlign: chain states, each step proposes "
                + "a new suffix); best-of-n returns the sample the reward model likes most, so with a larger "
                + "budget it exploits the reward model's errors more; QAlign samples from "
                + "p_LM(y|x) exp(r/beta) and converges to that fixed target as the budget grows."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure (model, I/O)", "2:usage error (bad flag, bad value, "
            + "missing file or directory)"})
public final class QalignCli implements Callable<Integer> {

    /** The version of the command line, written into every {@code qalign sample} settings line. */
    public static final String VERSION = "0.1.0";

    /** Exit status of usage errors. */
    public static final int USAGE = 2;
    /** Exit status of runtime failures. */
    public static final int FAILURE = 1;

    @Spec
    CommandSpec spec;

    private final ModelFactory models;
    private final PrintStream progressStream;

    /**
     * @param models         loads the models the commands run on
     * @param progressStream where progress bars go (null: none)
     */
    public QalignCli(ModelFactory models, PrintStream progressStream) {
        this.models = Objects.requireNonNull(models, "models");
        this.progressStream = progressStream;
    }

    ModelFactory models() {
        return models;
    }

    PrintStream progressStream() {
        return progressStream;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * A configured command line: one-line usage errors with exit status {@value #USAGE}, one-line runtime errors
     * with exit status {@value #FAILURE}.
     */
    public static CommandLine commandLine(ModelFactory models, PrintStream progressStream) {
        CommandLine cl = new CommandLine(new QalignCli(models, progressStream));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(QalignCli::usageError);
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof ParameterException pe) {
                return usageError(pe, parsed.originalArgs().toArray(new String[0]));
            }
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": error: " + message(ex));
            c.getErr().flush();
            return FAILURE;
        });
        return cl;
    }

    /**
     * Runs the command line with the given streams.
     *
     * @return the exit status
     */
    public static int execute(ModelFactory models, PrintWriter out, PrintWriter err, PrintStream progressStream,
                              String... args) {
        CommandLine cl = commandLine(models, progressStream);
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Entry point of the {@code qalign} launcher. */
    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        // the models are tiny: one intra-op thread avoids OpenMP oversubscription (set the property to override)
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        // straight to file descriptor 1, not through System.out (a PrintStream that swallows write errors), so a
        // full disk or a closed pipe reaches PrintWriter.checkError() and the command can fail on it
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = execute(new DjlModelFactory(), out, err, System.err, args);
        System.exit(code);
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine c = ex.getCommandLine();
        String name = c.getCommandSpec().qualifiedName();
        c.getErr().println(name + ": " + ex.getMessage().strip().replace('\n', ' ')
                + " (see '" + name + " --help')");
        c.getErr().flush();
        return USAGE;
    }

    static String message(Throwable ex) {
        Throwable t = ex;
        String msg = t.getMessage();
        while ((msg == null || msg.isBlank()) && t.getCause() != null) {
            t = t.getCause();
            msg = t.getMessage();
        }
        return (msg == null ? t.getClass().getSimpleName() : msg).strip().replace('\n', ' ');
    }
}
