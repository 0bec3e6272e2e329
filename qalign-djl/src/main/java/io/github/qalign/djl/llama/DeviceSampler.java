package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.SamplingConfig;

import java.util.Objects;

/**
 * {@link TokenSampler}'s rule computed where the logits are: temperature, top-k, top-p and the inverse-CDF draw run as
 * engine operations on the logits' device, and only the chosen ids (B longs) are copied to the host.
 *
 * <p>The distribution is exactly {@link TokenSampler#distribution}: the logits are widened to float64 on the device,
 * {@code p_i = exp((l_i - max) / T) / Z}; top-k keeps the k largest probabilities and top-p then the smallest prefix, in
 * descending probability, whose cumulative mass reaches {@code topP} times the top-k mass, ties at the boundary going
 * to the lower id (as {@link SamplingConfig#truncate}); the kept probabilities are renormalized and the draw returns the
 * first id, in id order, whose cumulative probability exceeds the row's uniform {@code u} (the last kept id if
 * rounding leaves {@code u} above the total). The caller supplies the uniform: one {@code nextDouble()} of the row's own
 * random stream per sampled token, exactly as {@link TokenSampler#sample} consumes it, so both samplers map the same
 * stream to the same token except where float accumulation order moves a cumulative-probability boundary across
 * {@code u} (the device sums with its own reduction order; {@code DeviceSamplerTest} and the benchmark measure how
 * often: see docs/benchmarks-djl.md). Temperature 0 is the argmax on the device (the lowest id on ties, as
 * {@code torch.argmax}), with no uniform consumed.
 *
 * <p>Errors match the Java sampler's: a row with a NaN or +infinity logit, or with every logit -infinity, fails with
 * {@link ModelException} naming the row.
 */
public final class DeviceSampler {

    private DeviceSampler() {
    }

    /**
     * Samples one id per row.
     *
     * @param logits   {@code [B, V]} logits (any float type, on any device); not modified
     * @param config   temperature, top-k, top-p
     * @param uniforms one uniform in [0, 1) per row (ignored at temperature 0; may then be null)
     * @return the sampled id of each row
     * @throws ModelException           if a row has a NaN or +infinity logit or only -infinity logits
     * @throws IllegalArgumentException if the shapes disagree
     */
    public static int[] sample(NDArray logits, SamplingConfig config, double[] uniforms) {
        return sample(logits, config, uniforms, null);
    }

    /**
     * Samples one id per active row; inactive rows (e.g. finished sequences riding along in a batch) get -1 and are
     * not validated.
     *
     * @param logits   {@code [B, V]} logits (any float type, on any device); not modified
     * @param config   temperature, top-k, top-p
     * @param uniforms one uniform in [0, 1) per row (ignored at temperature 0; may then be null)
     * @param active   which rows need a token, or null for all
     * @return the sampled id of each active row, -1 for the others
     * @throws ModelException           if an active row has a NaN or +infinity logit or only -infinity logits
     * @throws IllegalArgumentException if the shapes disagree
     */
    public static int[] sample(NDArray logits, SamplingConfig config, double[] uniforms, boolean[] active) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(config, "config");
        Shape shape = logits.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("logits must be [B, V], got " + shape);
        }
        int b = (int) shape.get(0);
        long v = shape.get(1);
        if (active != null && active.length != b) {
            throw new IllegalArgumentException("need one active flag per row: " + b + " rows, " + active.length
                    + " flags");
        }
        if (!config.isGreedy() && (uniforms == null || uniforms.length != b)) {
            throw new IllegalArgumentException("need one uniform per row: " + b + " rows, "
                    + (uniforms == null ? "no" : uniforms.length) + " uniforms");
        }
        try (NDManager m = logits.getManager().newSubManager()) {
            // a float64 copy owned by this scope: every later result lands in m (a result belongs to the manager of
            // its first operand)
            NDArray l = logits.toType(DataType.FLOAT64, true);
            l.attach(m);
            NDArray max = l.max(new int[] {1}, true);
            // invalid rows: a NaN or +inf logit, or max == -inf (every logit -inf)
            NDArray bad = l.isNaN().logicalOr(l.eq(Double.POSITIVE_INFINITY)).sum(new int[] {1}).gt(0)
                    .logicalOr(max.eq(Double.NEGATIVE_INFINITY).squeeze(1));
            NDArray ids;
            if (config.isGreedy()) {
                ids = l.argMax(1);
            } else {
                ids = draw(m, l, max, config, uniforms, v);
            }
            // bad rows become -1 (ids - bad * (ids + 1)); one copy of B longs leaves the device
            NDArray id64 = ids.toType(DataType.INT64, false);
            long[] out = id64.sub(bad.toType(DataType.INT64, false).mul(id64.add(1L))).toLongArray();
            int[] res = new int[b];
            for (int r = 0; r < b; r++) {
                if (active != null && !active[r]) {
                    res[r] = -1;
                    continue;
                }
                if (out[r] < 0) {
                    throw new ModelException("row " + r + " of " + b + ": its " + v + " logits contain NaN or"
                            + " +infinity, or are all -infinity");
                }
                res[r] = (int) out[r];
            }
            return res;
        }
    }

    private static NDArray draw(NDManager m, NDArray l, NDArray max, SamplingConfig config, double[] uniforms,
                                long v) {
        int[] axis1 = {1};
        NDArray e = l.sub(max).div(config.temperature()).exp();
        NDArray p = e.div(e.sum(axis1, true));
        boolean truncate = (config.topK().isPresent() && config.topK().getAsInt() < v)
                || (config.topP().isPresent() && config.topP().getAsDouble() < 1);
        NDArray kept = null;
        if (truncate) {
            kept = keptMask(m, p, config, v);
            p = p.mul(kept);
            p = p.div(p.sum(axis1, true));
        } else {
            kept = p.gt(0);
        }
        NDArray cum = p.cumSum(1);
        NDArray u = m.create(uniforms, new Shape(uniforms.length, 1));
        // first id whose cumulative probability exceeds u = how many cumulative values are <= u
        NDArray first = cum.lte(u).toType(DataType.INT64, false).sum(axis1);
        // the last kept id (when rounding leaves u at or above the total)
        NDArray iota = m.arange(1, (int) v + 1, 1, DataType.INT64).reshape(1, v);
        NDArray lastKept = kept.toType(DataType.INT64, false).mul(iota).max(axis1).sub(1);
        return NDArrays.minimum(first, lastKept);
    }

    /** The support {@link SamplingConfig#truncate} keeps, as a [B, V] boolean mask. */
    private static NDArray keptMask(NDManager m, NDArray p, SamplingConfig config, long v) {
        int[] axis1 = {1};
        long k = config.topK().isPresent() ? Math.min(config.topK().getAsInt(), v) : v;
        // descending probabilities; the values (not the ids) of tied entries are the same in any order
        NDArray sorted = p.sort(1).flip(1);
        if (k < v) {
            sorted = sorted.get(new NDIndex(":, :{}", k));
        }
        int b = (int) p.getShape().get(0);
        NDArray keep;
        if (config.topP().isPresent() && config.topP().getAsDouble() < 1) {
            NDArray cum = sorted.cumSum(1);
            NDArray target = cum.get(new NDIndex(":, {}:", k - 1)).mul(config.topP().getAsDouble());
            // the smallest n with cum[n-1] >= target: (how many cum < target) + 1, at most k
            keep = NDArrays.minimum(cum.lt(target).toType(DataType.INT64, false).sum(axis1, true).add(1L), k);
        } else {
            keep = m.full(new Shape(b, 1), (float) k, DataType.INT64);
        }
        // threshold = the keep-th largest probability; everything above it is kept, and of the entries equal to it
        // the lowest ids fill the remaining places
        NDArray tau = sorted.gather(keep.sub(1L), 1);
        NDArray above = p.gt(tau);
        NDArray room = keep.sub(above.toType(DataType.INT64, false).sum(axis1, true));
        NDArray tie = p.eq(tau);
        NDArray tieRank = tie.toType(DataType.INT64, false).cumSum(1);
        return above.logicalOr(tie.logicalAnd(tieRank.lte(room)));
    }
}
