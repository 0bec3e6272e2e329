package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One QAlign chain {@code y^0, y^1, ..., y^T}.
 *
 * <p>{@link #states()} holds all {@code T + 1} states (a rejected step repeats the previous state). {@link #samples()}
 * applies burn-in and thinning: it keeps the states {@code y^s} with {@code s >= burnIn} and
 * {@code (s - burnIn) % thin == 0}. The budgeted variants ({@link #states(int)}, {@link #samples(int)},
 * {@link #usage(int)}) answer "what if the run had stopped after {@code k} steps", so a sweep over budgets
 * {@code 1, 2, 4, ..., T} needs one run.
 *
 * @param promptIndex  index of the prompt in the run
 * @param chainIndex   index of the chain among the prompt's chains
 * @param initial      {@code y^0}: one full sample of the language model, scored once (the default), the sample
 *                     picked by importance resampling among several, or a given warm start
 * @param initialUsage LM and RM usage of {@code y^0}: every base sample it was picked from, or the scoring of an
 *                     unscored warm start (zero for a scored one)
 * @param steps        the {@code T} steps in order
 * @param burnIn       states discarded from the start, in [0, T]
 * @param thin         keep every {@code thin}-th state after burn-in, &gt;= 1
 */
public record ChainResult(int promptIndex, int chainIndex, ScoredSample initial, ComputeUsage initialUsage,
                          List<ChainStep> steps, int burnIn, int thin) {
    /**
     * Validates and copies the components.
     *
     * @param promptIndex see the record description
     * @param chainIndex see the record description
     * @param initial see the record description
     * @param initialUsage see the record description
     * @param steps see the record description
     * @param burnIn see the record description
     * @param thin see the record description
     */
    public ChainResult {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(initialUsage, "initialUsage");
        steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
        if (burnIn < 0 || burnIn > steps.size()) {
            throw new IllegalArgumentException("burnIn must be in [0, " + steps.size() + "], got " + burnIn);
        }
        if (thin < 1) {
            throw new IllegalArgumentException("thin must be >= 1, got " + thin);
        }
    }

    /**
     * Number of steps {@code T}.
     *
     * @return number of steps {@code T}
     */
    public int stepCount() {
        return steps.size();
    }

    /**
     * All states {@code y^0 .. y^T} ({@code T + 1} entries).
     *
     * @return the {@code T + 1} states, unmodifiable
     */
    public List<ScoredSample> states() {
        return states(steps.size());
    }

    /**
     * The states {@code y^0 .. y^k} of the run truncated to its first {@code k} steps.
     *
     * @param k the budget: steps per chain, in [0, T]
     * @return the {@code k + 1} states, unmodifiable
     */
    public List<ScoredSample> states(int k) {
        checkBudget(k);
        List<ScoredSample> out = new ArrayList<>(k + 1);
        out.add(initial);
        for (int s = 0; s < k; s++) {
            out.add(steps.get(s).state());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The samples after burn-in and thinning.
     *
     * @return the samples after burn-in and thinning
     */
    public List<ScoredSample> samples() {
        return samples(steps.size());
    }

    /**
     * The samples of the run truncated to its first {@code k} steps, after burn-in and thinning (empty when
     * {@code k < burnIn}).
     *
     * @param k the budget: steps per chain, in [0, T]
     * @return the kept states among {@code y^0 .. y^k}, unmodifiable
     */
    public List<ScoredSample> samples(int k) {
        checkBudget(k);
        List<ScoredSample> out = new ArrayList<>();
        // long: s + thin must not overflow for a huge thin
        for (long s = burnIn; s <= k; s += thin) {
            out.add(s == 0 ? initial : steps.get((int) s - 1).state());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The final state {@code y^T}.
     *
     * @return the final state {@code y^T}
     */
    public ScoredSample last() {
        return steps.isEmpty() ? initial : steps.get(steps.size() - 1).state();
    }

    /**
     * The rewards of all states {@code r(y^0) .. r(y^T)}.
     *
     * @return a new array of {@code T + 1} rewards
     */
    public double[] rewardTrace() {
        double[] out = new double[steps.size() + 1];
        out[0] = initial.reward();
        for (int s = 0; s < steps.size(); s++) {
            out[s + 1] = steps.get(s).state().reward();
        }
        return out;
    }

    /**
     * Number of accepted steps (the Metropolis-Hastings decision, {@link AcceptanceMeasure#ACCEPTED}).
     *
     * @return number of accepted steps
     */
    public int acceptedCount() {
        int n = 0;
        for (ChainStep st : steps) {
            if (st.accepted()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Number of steps after which the state differs from the state before ({@code y^t != y^{t-1}}, compared as token
     * ids). At most {@link #acceptedCount()}: an accepted candidate identical to the current state does not move the
     * chain.
     *
     * @return number of steps that moved the chain
     */
    public int movedCount() {
        int n = 0;
        ScoredSample prev = initial;
        for (ChainStep st : steps) {
            if (!st.state().completion().equals(prev.completion())) {
                n++;
            }
            prev = st.state();
        }
        return n;
    }

    /**
     * Steps counted by {@code measure}: {@link #acceptedCount()} or {@link #movedCount()}.
     *
     * @param measure the measure
     * @return the count
     */
    public int count(AcceptanceMeasure measure) {
        return measure == AcceptanceMeasure.MOVED ? movedCount() : acceptedCount();
    }

    /**
     * Total usage of the chain (initial sample plus every step).
     *
     * @return total usage of the chain (initial sample plus every step)
     */
    public ComputeUsage usage() {
        return usage(steps.size());
    }

    /**
     * Usage of the run truncated to its first {@code k} steps.
     *
     * @param k the budget: steps per chain, in [0, T]
     * @return usage of the run truncated to its first {@code k} steps
     */
    public ComputeUsage usage(int k) {
        checkBudget(k);
        ComputeUsage u = initialUsage;
        for (int s = 0; s < k; s++) {
            u = u.plus(steps.get(s).usage());
        }
        return u;
    }

    private void checkBudget(int k) {
        if (k < 0 || k > steps.size()) {
            throw new IllegalArgumentException("budget k must be in [0, " + steps.size() + "], got " + k);
        }
    }
}
