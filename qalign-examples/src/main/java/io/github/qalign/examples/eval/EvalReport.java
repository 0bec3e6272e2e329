package io.github.qalign.examples.eval;

import io.github.qalign.examples.eval.EvalAggregate.Row;
import io.github.qalign.examples.experiment.Method;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The text outputs of {@code qalign eval}: the accuracy CSV (every dataset x policy x method x budget) and Table 1
 * (accuracy per dataset at the largest budget, and the average) as Markdown and CSV.
 */
public final class EvalReport {

    /** Column titles of Table 1, by dataset name. */
    private static final Map<String, String> TITLES = Map.of("math500", "MATH500", "gsm8k", "GSM8K",
            "truthfulqa", "TQA", "mmlu-redux", "MMLU-Redux", "ifeval", "IFEval (prompt loose)",
            EvalAggregate.AVERAGE, "Avg");

    private EvalReport() {
    }

    /**
     * The accuracy CSV: header {@code dataset,policy,model,method,budget,items,accuracy,accuracy_se,error,
     * flops_per_item,lm_flops_per_item,rm_flops_per_item}; accuracy and error as fractions; an undefined standard
     * error is an empty field.
     *
     * @param rows   the rows of {@link EvalAggregate#rows(List)}
     * @param models the model label of each policy role ({@code "policy"}, {@code "baseline"})
     * @return the CSV text
     */
    public static String accuracyCsv(List<Row> rows, Map<String, String> models) {
        StringBuilder sb = new StringBuilder("dataset,policy,model,method,budget,items,accuracy,accuracy_se,error,"
                + "flops_per_item,lm_flops_per_item,rm_flops_per_item\n");
        for (Row r : rows) {
            sb.append(r.dataset()).append(',').append(r.policy()).append(',')
                    .append(csv(models.getOrDefault(r.policy(), r.policy()))).append(',')
                    .append(r.method().cliName()).append(',').append(r.budget()).append(',').append(r.items())
                    .append(',').append(num(r.accuracy())).append(',').append(num(r.stdErr())).append(',')
                    .append(num(r.error())).append(',').append(num(r.flops())).append(',').append(num(r.lmFlops()))
                    .append(',').append(num(r.rmFlops())).append('\n');
        }
        return sb.toString();
    }

    /**
     * One line of Table 1.
     *
     * @param policy the policy role
     * @param method the method
     * @param budget the largest budget of this policy and method
     * @param cells  the row at that budget per dataset (Table 1 order, {@value EvalAggregate#AVERAGE} last)
     */
    public record TableLine(String policy, Method method, int budget, Map<String, Row> cells) {
    }

    /**
     * Table 1's lines: per policy (policy, then baseline) and method (BoN, MV, WMV, QAlign), the rows at the largest
     * budget that policy and method reached.
     *
     * @param rows the rows of {@link EvalAggregate#rows(List)}
     * @return the lines, and the dataset columns in order
     */
    public static List<TableLine> table(List<Row> rows) {
        Map<String, Map<Method, Integer>> maxBudget = new LinkedHashMap<>();
        for (Row r : rows) {
            maxBudget.computeIfAbsent(r.policy(), p -> new LinkedHashMap<>()).merge(r.method(), r.budget(), Math::max);
        }
        List<TableLine> out = new ArrayList<>();
        for (Map.Entry<String, Map<Method, Integer>> p : maxBudget.entrySet()) {
            for (Method m : EvalAggregate.METHOD_ORDER) {
                Integer b = p.getValue().get(m);
                if (b == null) {
                    continue;
                }
                Map<String, Row> cells = new LinkedHashMap<>();
                for (Row r : rows) {
                    if (r.policy().equals(p.getKey()) && r.method() == m && r.budget() == b) {
                        cells.put(r.dataset(), r);
                    }
                }
                out.add(new TableLine(p.getKey(), m, b, cells));
            }
        }
        return out;
    }

    /** The dataset columns of a table, in order (the average last). */
    static List<String> columns(List<Row> rows) {
        return rows.stream().map(Row::dataset).distinct()
                .sorted(java.util.Comparator.comparingInt(EvalAggregate::datasetRank)).toList();
    }

    /**
     * Table 1 as Markdown: one line per policy and method, accuracy in percent with its standard error, at the
     * largest budget.
     *
     * @param rows   the rows of {@link EvalAggregate#rows(List)}
     * @param models the model label of each policy role
     * @return the Markdown table (with a caption line)
     */
    public static String tableMarkdown(List<Row> rows, Map<String, String> models) {
        List<String> cols = columns(rows);
        StringBuilder sb = new StringBuilder("| Model | Method | Budget |");
        StringBuilder rule = new StringBuilder("|---|---|---:|");
        for (String c : cols) {
            sb.append(' ').append(TITLES.getOrDefault(c, c)).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (TableLine t : table(rows)) {
            sb.append("| ").append(models.getOrDefault(t.policy(), t.policy())).append(" | ")
                    .append(t.method().label()).append(" | ").append(t.budget()).append(" |");
            for (String c : cols) {
                Row r = t.cells().get(c);
                sb.append(' ').append(r == null ? "-" : pct(r.accuracy()) + " ± " + pct(r.stdErr())).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nAccuracy (%) ± standard error over items, at each method's largest budget; Avg weighs the "
                + "datasets equally.\n");
        return sb.toString();
    }

    /**
     * Table 1 as CSV: {@code model,policy,method,budget}, then per dataset column {@code <name>,<name>_se} (percent).
     *
     * @param rows   the rows of {@link EvalAggregate#rows(List)}
     * @param models the model label of each policy role
     * @return the CSV text
     */
    public static String tableCsv(List<Row> rows, Map<String, String> models) {
        List<String> cols = columns(rows);
        StringBuilder sb = new StringBuilder("model,policy,method,budget");
        for (String c : cols) {
            sb.append(',').append(c).append(',').append(c).append("_se");
        }
        sb.append('\n');
        for (TableLine t : table(rows)) {
            sb.append(csv(models.getOrDefault(t.policy(), t.policy()))).append(',').append(t.policy()).append(',')
                    .append(t.method().cliName()).append(',').append(t.budget());
            for (String c : cols) {
                Optional<Row> r = Optional.ofNullable(t.cells().get(c));
                sb.append(',').append(r.map(x -> pct(x.accuracy())).orElse("")).append(',')
                        .append(r.map(x -> pct(x.stdErr())).orElse(""));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes a text file (UTF-8), replacing it.
     *
     * @param file the file
     * @param text the content
     * @throws UncheckedIOException naming the file
     */
    public static void write(Path file, String text) {
        Objects.requireNonNull(file, "file");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String pct(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f", 100 * x);
    }

    private static String num(double x) {
        return Double.isNaN(x) ? "" : Double.toString(x);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
