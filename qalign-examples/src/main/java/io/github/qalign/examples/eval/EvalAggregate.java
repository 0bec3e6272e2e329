package io.github.qalign.examples.eval;

import io.github.qalign.eval.Benchmarks;
import io.github.qalign.examples.experiment.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns per-item outcomes into accuracies per dataset x policy x method x budget, and their average over datasets.
 *
 * <p>Accuracy is the fraction of items answered correctly; its standard error is the sample standard deviation of
 * the 0/1 outcomes over the square root of the item count, {@code sqrt(p (1 - p) / (n - 1))} (NaN for one item).
 * FLOPs are the mean per item of {@code 2 x parameters x computed tokens} for the policy and the reward model (the
 * reward model counts for BoN, WMV and QAlign; majority vote never runs it). The {@value #AVERAGE} rows, Table 1's
 * "Avg" column and Figure 1's curve, weigh every dataset equally: accuracy and FLOPs are the means over the datasets
 * of their per-dataset values, the standard error {@code sqrt(sum se_d^2) / D}; an average is only formed for a
 * (policy, method, budget) present in every dataset of the run.
 */
public final class EvalAggregate {

    /** The dataset name of the rows averaged over datasets. */
    public static final String AVERAGE = "average";

    /**
     * One item's outcome for one method at one budget.
     *
     * @param dataset the dataset ({@link Benchmarks#NAMES})
     * @param policy  which policy produced it: {@code "policy"} or {@code "baseline"}
     * @param method  the method
     * @param budget  the budget
     * @param correct whether the chosen answer is correct
     * @param lmFlops policy FLOPs spent on the item at this budget
     * @param rmFlops reward-model FLOPs spent on the item at this budget
     */
    public record Outcome(String dataset, String policy, Method method, int budget, boolean correct, double lmFlops,
                          double rmFlops) {
        /**
         * Validates the components.
         *
         * @param dataset see the record description
         * @param policy  see the record description
         * @param method  see the record description
         * @param budget  see the record description
         * @param correct see the record description
         * @param lmFlops see the record description
         * @param rmFlops see the record description
         */
        public Outcome {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(method, "method");
            if (budget < 1) {
                throw new IllegalArgumentException("budget must be >= 1, got " + budget);
            }
            if (!(lmFlops >= 0) || !(rmFlops >= 0) || Double.isInfinite(lmFlops) || Double.isInfinite(rmFlops)) {
                throw new IllegalArgumentException("FLOPs must be finite and >= 0, got " + lmFlops + ", " + rmFlops);
            }
        }
    }

    /**
     * One row of the accuracy CSV.
     *
     * @param dataset  the dataset, or {@value #AVERAGE}
     * @param policy   {@code "policy"} or {@code "baseline"}
     * @param method   the method
     * @param budget   the budget
     * @param items    items behind the row (for {@value #AVERAGE}: the sum over datasets)
     * @param accuracy fraction correct, in [0, 1]
     * @param stdErr   standard error of the accuracy (NaN when undefined)
     * @param lmFlops  mean policy FLOPs per item
     * @param rmFlops  mean reward-model FLOPs per item
     */
    public record Row(String dataset, String policy, Method method, int budget, int items, double accuracy,
                      double stdErr, double lmFlops, double rmFlops) {
        /**
         * The error rate, {@code 1 - accuracy}.
         *
         * @return the error rate
         */
        public double error() {
            return 1 - accuracy;
        }

        /**
         * Mean FLOPs per item, policy plus reward model.
         *
         * @return the FLOPs
         */
        public double flops() {
            return lmFlops + rmFlops;
        }
    }

    /** Method order of tables and plots: the paper's Table 1 rows (BoN, MV, WMV, QAlign). */
    public static final List<Method> METHOD_ORDER = List.of(Method.BON, Method.MV, Method.WMV, Method.QALIGN);

    private EvalAggregate() {
    }

    /**
     * Aggregates outcomes.
     *
     * @param outcomes per-item outcomes (any order)
     * @return rows ordered by dataset (Table 1 order, then {@value #AVERAGE}), policy (policy first), method
     *         ({@link #METHOD_ORDER}) and budget
     */
    public static List<Row> rows(List<Outcome> outcomes) {
        Map<Key, double[]> sums = new TreeMap<>(Key.ORDER);
        for (Outcome o : outcomes) {
            double[] s = sums.computeIfAbsent(new Key(o.dataset(), o.policy(), o.method(), o.budget()),
                    k -> new double[4]);
            s[0]++;
            s[1] += o.correct() ? 1 : 0;
            s[2] += o.lmFlops();
            s[3] += o.rmFlops();
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Key, double[]> e : sums.entrySet()) {
            Key k = e.getKey();
            double[] s = e.getValue();
            int n = (int) s[0];
            double p = s[1] / n;
            double se = n > 1 ? Math.sqrt(p * (1 - p) / (n - 1)) : Double.NaN;
            rows.add(new Row(k.dataset, k.policy, k.method, k.budget, n, p, se, s[2] / n, s[3] / n));
        }
        rows.addAll(averages(rows));
        return rows;
    }

    private static List<Row> averages(List<Row> rows) {
        List<String> datasets = rows.stream().map(Row::dataset).distinct().toList();
        Map<Key, List<Row>> byConfig = new LinkedHashMap<>();
        for (Row r : rows) {
            byConfig.computeIfAbsent(new Key(AVERAGE, r.policy(), r.method(), r.budget()), k -> new ArrayList<>())
                    .add(r);
        }
        List<Row> out = new ArrayList<>();
        for (Map.Entry<Key, List<Row>> e : byConfig.entrySet()) {
            List<Row> rs = e.getValue();
            if (rs.size() != datasets.size()) {
                continue;
            }
            int d = rs.size();
            double acc = rs.stream().mapToDouble(Row::accuracy).sum() / d;
            double var = rs.stream().mapToDouble(r -> r.stdErr() * r.stdErr()).sum();
            Key k = e.getKey();
            out.add(new Row(AVERAGE, k.policy, k.method, k.budget, rs.stream().mapToInt(Row::items).sum(), acc,
                    Math.sqrt(var) / d, rs.stream().mapToDouble(Row::lmFlops).sum() / d,
                    rs.stream().mapToDouble(Row::rmFlops).sum() / d));
        }
        out.sort(Key.ROW_ORDER);
        return out;
    }

    /** Rank of a dataset name in tables: Table 1's column order, unknown names after, the average last. */
    static int datasetRank(String dataset) {
        int i = Benchmarks.NAMES.indexOf(dataset);
        return dataset.equals(AVERAGE) ? Benchmarks.NAMES.size() + 1 : i < 0 ? Benchmarks.NAMES.size() : i;
    }

    private record Key(String dataset, String policy, Method method, int budget) {
        static final Comparator<Key> ORDER = Comparator.<Key>comparingInt(k -> datasetRank(k.dataset))
                .thenComparing(Key::dataset)
                .thenComparingInt(k -> k.policy.equals("policy") ? 0 : 1).thenComparing(Key::policy)
                .thenComparingInt(k -> METHOD_ORDER.indexOf(k.method)).thenComparingInt(Key::budget);
        static final Comparator<Row> ROW_ORDER = Comparator.comparing(
                (Row r) -> new Key(r.dataset(), r.policy(), r.method(), r.budget()), ORDER);
    }
}
