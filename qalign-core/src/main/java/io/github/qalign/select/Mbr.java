package io.github.qalign.select;

import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.utility.Rouge;
import io.github.qalign.utility.Utility;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Minimum Bayes risk: the candidate y maximising sum_t w_t u(y, y_t) over the samples y_t.
 *
 * <ul>
 *   <li>Candidates and references are the samples themselves, seen through a {@code view} (the completion ids for
 *       ROUGE, the text, or an extracted answer). Samples with equal views are one candidate: its weight is the
 *       sum of their weights (multiplicity times 1/n for uniform weights), and the utility of each DISTINCT pair is
 *       computed once, so a chain of 1024 states with many repeats costs only its distinct states squared.</li>
 *   <li>Weights come from a {@link Weighting}: uniform for samples of the target (chain states), importance
 *       softmax(r / beta) for independent base-model samples. Raw rewards are never used as weights.</li>
 *   <li>Ties go to the candidate whose first occurrence is earliest.</li>
 *   <li>Utilities must be in [0, 1]; a value outside (or NaN) fails with an {@link IllegalStateException}.</li>
 * </ul>
 * The sweep reuses the utility matrix across budgets: the distinct candidates of a prefix are a prefix of the
 * distinct candidates of the run, so each budget only adds rows for new candidates. With exact-match utility over
 * answers and uniform weights, MBR picks exactly what {@link MajorityVote} picks.
 *
 * @param <T> the view type; must have value {@code equals}/{@code hashCode} (e.g. {@link TokenIds}, String)
 */
public final class Mbr<T> implements Selector<MbrSelection> {

    private final Function<? super ScoredSample, ? extends T> view;
    private final Utility<T> utility;
    private final Weighting weighting;

    /**
     * An MBR selector.
     *
     * @param view      maps a sample to the value compared by the utility; must not return null
     * @param utility   u(candidate, reference) in [0, 1]
     * @param weighting the sample weights
     */
    public Mbr(Function<? super ScoredSample, ? extends T> view, Utility<T> utility, Weighting weighting) {
        this.view = Objects.requireNonNull(view, "view");
        this.utility = Objects.requireNonNull(utility, "utility");
        this.weighting = Objects.requireNonNull(weighting, "weighting");
    }

    /**
     * MBR with ROUGE-1 F1 over completion ids (the paper's choice for open-ended tasks).
     *
     * @param weighting uniform for chain states, importance for independent samples
     * @return the selector
     */
    public static Mbr<TokenIds> rouge1(Weighting weighting) {
        return new Mbr<>(ScoredSample::completion, Rouge.rouge1(), weighting);
    }

    @Override
    public MbrSelection select(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        return new Engine(samples).at(samples.size());
    }

    @Override
    public List<AtBudget<MbrSelection>> sweep(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        Engine engine = new Engine(samples);
        List<AtBudget<MbrSelection>> out = new ArrayList<>();
        for (int b : Budgets.powersOfTwo(samples.size())) {
            out.add(new AtBudget<>(b, engine.at(b)));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "Mbr(" + utility + ", " + weighting + ")";
    }

    /** The incremental state over one run: distinct candidates and the utility matrix among them. */
    private final class Engine {
        private final List<ScoredSample> samples;
        private final double[] rewards;
        private final Map<T, Integer> distinct = new HashMap<>();
        private final int[] distinctOf;
        private final List<Integer> firstIndex = new ArrayList<>();
        private final Utility.Indexed<T> indexed = utility.indexed();
        private final boolean symmetric = utility.isSymmetric();
        /** lower[i][j] = u(i, j) for j <= i. */
        private double[][] lower = new double[16][];
        /** upper[i][j] = u(j, i) for j < i (asymmetric utilities only). */
        private double[][] upper = new double[16][];
        private int seen;
        private int computed;

        Engine(List<ScoredSample> samples) {
            this.samples = samples;
            this.rewards = Samples.rewards(samples, samples.size());
            this.distinctOf = new int[samples.size()];
        }

        MbrSelection at(int budget) {
            for (; seen < budget; seen++) {
                T v = view.apply(samples.get(seen));
                if (v == null) {
                    throw new IllegalArgumentException("view returned null for samples[" + seen + "]");
                }
                Integer id = distinct.get(v);
                if (id == null) {
                    id = firstIndex.size();
                    distinct.put(v, id);
                    firstIndex.add(seen);
                    int added = indexed.add(v);
                    if (added != id) {
                        throw new IllegalStateException("utility index returned " + added + ", expected " + id);
                    }
                }
                distinctOf[seen] = id;
            }
            int d = 0;
            for (int s = 0; s < budget; s++) {
                d = Math.max(d, distinctOf[s] + 1);
            }
            computeRows(d);
            double[] w = weighting.weights(rewards, budget);
            double[] weight = new double[d];
            int[] multiplicity = new int[d];
            for (int s = 0; s < budget; s++) {
                weight[distinctOf[s]] += w[s];
                multiplicity[distinctOf[s]]++;
            }
            List<MbrCandidate> candidates = new ArrayList<>(d);
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < d; a++) {
                double score = 0;
                for (int r = 0; r < d; r++) {
                    score += weight[r] * u(a, r);
                }
                candidates.add(new MbrCandidate(firstIndex.get(a), multiplicity[a], weight[a], score));
                if (score > bestScore) {
                    best = a;
                    bestScore = score;
                }
            }
            int index = firstIndex.get(best);
            return new MbrSelection(index, samples.get(index), bestScore, candidates);
        }

        private double u(int a, int r) {
            if (r <= a) {
                return lower[a][r];
            }
            return symmetric ? lower[r][a] : upper[r][a];
        }

        private void computeRows(int d) {
            if (d > lower.length) {
                int cap = Math.max(d, lower.length * 2);
                lower = Arrays.copyOf(lower, cap);
                upper = Arrays.copyOf(upper, cap);
            }
            for (int i = computed; i < d; i++) {
                double[] row = new double[i + 1];
                for (int j = 0; j <= i; j++) {
                    row[j] = checked(indexed.apply(i, j), i, j);
                }
                lower[i] = row;
                if (!symmetric) {
                    double[] col = new double[i];
                    for (int j = 0; j < i; j++) {
                        col[j] = checked(indexed.apply(j, i), j, i);
                    }
                    upper[i] = col;
                }
            }
            computed = Math.max(computed, d);
        }

        private double checked(double v, int candidate, int reference) {
            if (!(v >= 0.0 && v <= 1.0)) {
                throw new IllegalStateException("utility " + utility + " returned " + v + " for candidate sample "
                        + firstIndex.get(candidate) + " vs reference sample " + firstIndex.get(reference)
                        + "; utilities must lie in [0, 1]");
            }
            return v;
        }
    }
}
