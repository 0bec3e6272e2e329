package io.github.qalign.examples.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a {@link SweepResult} as CSV and as a fixed-width text table. */
public final class SweepReport {

    /** The CSV header. */
    public static final String CSV_HEADER = "method,budget,prompts,gold_mean,gold_stderr,proxy_reward_mean,"
            + "lm_tokens_per_prompt,rm_tokens_per_prompt,flops_per_prompt";

    private SweepReport() {
    }

    /** The CSV text: a header line then one line per point ({@code \n} line ends, '.' decimal point). */
    public static String csv(SweepResult result) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (SweepPoint p : result.points()) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.6f,%.6f,%.6f,%.1f,%.1f,%.6e%n", p.method().cliName(),
                    p.budget(), p.prompts(), p.gold(), p.goldStdErr(), p.proxyReward(), p.lmTokensPerPrompt(),
                    p.rmTokensPerPrompt(), p.flopsPerPrompt()).replace(System.lineSeparator(), "\n"));
        }
        return sb.toString();
    }

    /** Writes {@link #csv(SweepResult)} to {@code file}. */
    public static void writeCsv(SweepResult result, Path file) {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(csv(result));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV " + file + ": " + e.getMessage(), e);
        }
    }

    /** A human-readable table: one row per budget, gold % per method, then compute. */
    public static String table(SweepResult result) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-7s %6s %8s %8s %10s %9s %11s%n", "method", "budget", "gold %",
                "+-se", "proxy r", "LM tok", "FLOPs"));
        for (SweepPoint p : result.points()) {
            sb.append(String.format(Locale.ROOT, "%-7s %6d %8.1f %8.1f %10.3f %9.0f %11.3e%n", p.method().label(),
                    p.budget(), 100 * p.gold(), 100 * p.goldStdErr(), p.proxyReward(), p.lmTokensPerPrompt(),
                    p.flopsPerPrompt()));
        }
        result.baseGoldRate().ifPresent(v -> sb.append(String.format(Locale.ROOT,
                "base model gold rate (all independent samples): %.1f%%%n", 100 * v)));
        result.chainGoldRate().ifPresent(v -> sb.append(String.format(Locale.ROOT,
                "QAlign chain-state gold rate (estimate of the target's): %.1f%%%n", 100 * v)));
        result.acceptanceRate().ifPresent(v -> sb.append(String.format(Locale.ROOT,
                "QAlign acceptance rate at beta %.3g: %.1f%%%n", result.config().beta(), 100 * v)));
        return sb.toString();
    }
}
