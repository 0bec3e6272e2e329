package io.github.qalign.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures its streams. */
record CliRun(int code, String out, String err) {

    static CliRun run(ModelFactory models, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QalignCli.execute(models, new PrintWriter(out), new PrintWriter(err), null, args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
