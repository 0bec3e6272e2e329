package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every usage text picocli formats (command header, description, footer, option and parameter descriptions) is a
 * valid format string: a bare {@code %} such as "95% intervals" made picocli print a WARN line and show the raw text
 * with unreplaced {@code %n}. Walks every subcommand, so a new text is checked without touching this test.
 */
class UsageTextFormatTest {

    @Test
    void everyUsageTextIsAValidFormatString() {
        CommandLine root = QalignCli.commandLine(new ToyModels(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        List<String> bad = new ArrayList<>();
        List<CommandSpec> specs = new ArrayList<>();
        collect(root, specs);
        assertThat(specs).hasSizeGreaterThan(5);
        for (CommandSpec spec : specs) {
            check(spec.qualifiedName() + " header", spec.usageMessage().header(), bad);
            check(spec.qualifiedName() + " description", spec.usageMessage().description(), bad);
            check(spec.qualifiedName() + " footer", spec.usageMessage().footer(), bad);
            for (ArgSpec arg : spec.args()) {
                check(spec.qualifiedName() + " " + arg, arg.description(), bad);
            }
        }
        assertThat(bad).as("usage texts that are not valid format strings (write %% for a percent sign)").isEmpty();
    }

    private static void collect(CommandLine cl, List<CommandSpec> out) {
        out.add(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!out.contains(sub.getCommandSpec())) {
                collect(sub, out);
            }
        }
    }

    private static void check(String where, String[] texts, List<String> bad) {
        for (String t : texts) {
            try {
                String.format(Locale.ROOT, t);
            } catch (IllegalFormatException e) {
                bad.add(where + ": \"" + t + "\" (" + e + ")");
            }
        }
    }
}
