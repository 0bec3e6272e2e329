package io.github.qalign.djl.llama;

import io.github.qalign.model.ModelException;
import io.github.qalign.model.SamplingConfig;

import java.util.random.RandomGenerator;

/**
 * The sampling kernel: draws a token id from {@code softmax(logits / T)}, optionally restricted to the top-k ids and/or
 * the smallest top-p nucleus (top-k applied first, then top-p on the renormalized rest), in double precision, with one
 * {@code nextDouble()} from the given generator per draw. Temperature 0 is greedy: the argmax (lowest id on ties, as
 * {@code torch.argmax}), a point-mass distribution, and NO draw is consumed from the generator (so the request's stream
 * is not advanced by greedy steps).
 */
public final class TokenSampler {

    private TokenSampler() {
    }

    /**
     * The exact distribution {@link #sample} draws from.
     *
     * @param logits one row of logits
     * @param config temperature, top-k, top-p
     * @return probabilities (zeros outside the kept support), summing to 1
     * @throws ModelException if a logit is NaN or +infinity
     */
    public static double[] distribution(float[] logits, SamplingConfig config) {
        int v = logits.length;
        double t = config.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            if (Float.isNaN(l) || l == Float.POSITIVE_INFINITY) {
                throw new ModelException("non-finite logit " + l + " in a row of " + v + " logits");
            }
            max = Math.max(max, l);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new ModelException("every logit is -infinity");
        }
        if (config.isGreedy()) {
            double[] one = new double[v];
            one[argmax(logits)] = 1.0;
            return one;
        }
        double[] p = new double[v];
        double z = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp((logits[i] - max) / t);
            z += p[i];
        }
        for (int i = 0; i < v; i++) {
            p[i] /= z;
        }
        return config.truncate(p);
    }

    /**
     * Draws one id.
     *
     * @param logits one row of logits
     * @param config temperature, top-k, top-p
     * @param rng    source of the single uniform draw (not used at temperature 0)
     * @return the sampled id
     */
    public static int sample(float[] logits, SamplingConfig config, RandomGenerator rng) {
        double[] p = distribution(logits, config); // validates the row (NaN, +inf, all -inf)
        if (config.isGreedy()) {
            return argmax(logits); // no draw
        }
        double u = rng.nextDouble();
        double cum = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cum += p[i];
                last = i;
                if (u < cum) {
                    return i;
                }
            }
        }
        return last; // rounding: u within 1e-16 of 1
    }

    /**
     * The id of the largest logit (the smallest id on ties).
     *
     * @param logits one row of logits
     * @return the id of the largest logit (the smallest id on ties)
     */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
