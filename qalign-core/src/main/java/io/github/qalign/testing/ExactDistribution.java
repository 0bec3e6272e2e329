package io.github.qalign.testing;

import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * An exact finite distribution over completions, e.g. {@code p_LM} of a {@link ToyLanguageModel} or the QAlign
 * target {@code pi(y) ∝ p_LM(y) exp(r(y)/beta)}.
 *
 * @param probabilities probability of each completion; non-negative, summing to 1 (within 1e-9); copied
 */
public record ExactDistribution(Map<TokenIds, Double> probabilities) {

    /**
     * Validates and copies the components.
     *
     * @param probabilities see the record description
     */
    public ExactDistribution {
        Objects.requireNonNull(probabilities, "probabilities");
        double sum = 0;
        for (Map.Entry<TokenIds, Double> e : probabilities.entrySet()) {
            double p = e.getValue();
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("probability of " + e.getKey() + " is " + p);
            }
            sum += p;
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("probabilities sum to " + sum + ", not 1");
        }
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
    }

    /**
     * The exact {@code p_LM(y | x)} of a toy model under {@code config}.
     *
     * @param lm the toy language model
     * @param prompt the prompt
     * @param config the sampling configuration
     * @return the exact {@code p_LM(y | x)} of a toy model under {@code config}
     */
    public static ExactDistribution languageModel(ToyLanguageModel lm, Prompt prompt, SamplingConfig config) {
        return new ExactDistribution(lm.distribution(prompt, config));
    }

    /**
     * The exact QAlign target {@code pi(y) ∝ p(y) exp(r(y)/beta)}, normalized in log space (log-sum-exp).
     *
     * @param base   the base distribution {@code p}
     * @param reward {@code r(y)}
     * @param beta   the temperature, finite and &gt; 0
     * @return the exact QAlign target {@code pi(y) ∝ p(y) exp(r(y)/beta)}, normalized in log space (log-sum-exp)
     */
    public static ExactDistribution target(ExactDistribution base, ToDoubleFunction<TokenIds> reward, double beta) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(reward, "reward");
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        List<TokenIds> ys = new ArrayList<>(base.probabilities.keySet());
        double[] r = new double[ys.size()];
        double maxReward = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ys.size(); i++) {
            r[i] = reward.applyAsDouble(ys.get(i));
            if (!Double.isFinite(r[i])) {
                throw new IllegalArgumentException("reward of " + ys.get(i) + " is not finite: " + r[i]);
            }
            if (base.probabilities.get(ys.get(i)) > 0) {
                maxReward = Math.max(maxReward, r[i]);
            }
        }
        // (r - maxReward) / beta <= 0 on the support: never +infinity, so no inf - inf = NaN for tiny beta
        double[] logw = new double[ys.size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ys.size(); i++) {
            double p = base.probabilities.get(ys.get(i));
            logw[i] = p == 0 ? Double.NEGATIVE_INFINITY : Math.log(p) + (r[i] - maxReward) / beta;
            max = Math.max(max, logw[i]);
        }
        double sum = 0;
        for (double lw : logw) {
            sum += Math.exp(lw - max);
        }
        Map<TokenIds, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < ys.size(); i++) {
            out.put(ys.get(i), Math.exp(logw[i] - max) / sum);
        }
        return new ExactDistribution(out);
    }

    /**
     * The exact target of a toy language model and any deterministic reward model: scores the whole support in
     * one {@code score} call, then applies {@link #target(ExactDistribution, ToDoubleFunction, double)}.
     *
     * @param lm the toy language model
     * @param rm the reward model (deterministic)
     * @param prompt the prompt
     * @param config the sampling configuration
     * @param beta the temperature, finite and &gt; 0
     * @return the exact target {@code pi}
     */
    public static ExactDistribution target(ToyLanguageModel lm, RewardModel rm, Prompt prompt, SamplingConfig config,
                                           double beta) {
        ExactDistribution base = languageModel(lm, prompt, config);
        List<TokenIds> ys = new ArrayList<>(base.probabilities.keySet());
        List<RewardRequest> req = new ArrayList<>(ys.size());
        for (TokenIds y : ys) {
            req.add(new RewardRequest(prompt, y, lm.decode(y)));
        }
        List<Reward> rewards = rm.score(req);
        if (rewards == null || rewards.size() != req.size()) {
            throw new ModelException("reward model returned " + (rewards == null ? "null" : rewards.size())
                    + " rewards for " + req.size() + " requests (batch size mismatch)");
        }
        Map<TokenIds, Double> r = new LinkedHashMap<>();
        for (int i = 0; i < ys.size(); i++) {
            r.put(ys.get(i), rewards.get(i).value());
        }
        return target(base, r::get, beta);
    }

    /**
     * The empirical distribution of a collection of completions (each occurrence weighs 1/n).
     *
     * @param samples the completions, not empty
     * @return the empirical distribution of a collection of completions (each occurrence weighs 1/n)
     */
    public static Map<TokenIds, Double> empirical(Collection<TokenIds> samples) {
        Objects.requireNonNull(samples, "samples");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("samples must not be empty");
        }
        Map<TokenIds, Double> out = new LinkedHashMap<>();
        double w = 1.0 / samples.size();
        for (TokenIds y : samples) {
            out.merge(y, w, Double::sum);
        }
        return out;
    }

    /**
     * The probability of {@code y} (0 outside the support).
     *
     * @param y a completion
     * @return the probability of {@code y} (0 outside the support)
     */
    public double probability(TokenIds y) {
        return probabilities.getOrDefault(y, 0.0);
    }

    /**
     * The probability of the set of completions satisfying {@code event}.
     *
     * @param event the set, as a predicate
     * @return the probability of the set of completions satisfying {@code event}
     */
    public double probability(Predicate<TokenIds> event) {
        Objects.requireNonNull(event, "event");
        double s = 0;
        for (Map.Entry<TokenIds, Double> e : probabilities.entrySet()) {
            if (event.test(e.getKey())) {
                s += e.getValue();
            }
        }
        return s;
    }

    /**
     * The expectation of {@code f}.
     *
     * @param f the function
     * @return the expectation of {@code f}
     */
    public double expectation(ToDoubleFunction<TokenIds> f) {
        Objects.requireNonNull(f, "f");
        double s = 0;
        for (Map.Entry<TokenIds, Double> e : probabilities.entrySet()) {
            s += e.getValue() * f.applyAsDouble(e.getKey());
        }
        return s;
    }

    /**
     * Total-variation distance {@code 0.5 * sum |p - q|} to another distribution (missing keys weigh 0).
     *
     * @param other the other sequence
     * @return total-variation distance {@code 0.5 * sum |p - q|} to another distribution (missing keys weigh 0)
     */
    public double totalVariation(Map<TokenIds, Double> other) {
        Objects.requireNonNull(other, "other");
        Set<TokenIds> keys = new HashSet<>(probabilities.keySet());
        keys.addAll(other.keySet());
        double s = 0;
        for (TokenIds y : keys) {
            s += Math.abs(probability(y) - other.getOrDefault(y, 0.0));
        }
        return 0.5 * s;
    }

    /**
     * The completion with the largest probability (first in insertion order on ties).
     *
     * @return the completion with the largest probability (first in insertion order on ties)
     */
    public TokenIds mode() {
        TokenIds best = null;
        double bp = -1;
        for (Map.Entry<TokenIds, Double> e : probabilities.entrySet()) {
            if (e.getValue() > bp) {
                bp = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }
}
