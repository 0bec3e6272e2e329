package io.github.qalign.testing;

import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleBiFunction;
import java.util.function.ToDoubleFunction;

/**
 * A deterministic reward model for tests: {@code r(x, y) = f(prompt, completion ids)}. Usage: prompt plus
 * completion count as computed input tokens. Counts its batch calls ({@link #scoreCalls()}) and requests. Thread-safe
 * if the function is.
 */
public final class ToyRewardModel implements RewardModel {

    private final ToDoubleBiFunction<Prompt, TokenIds> function;
    private final long parameterCount;
    private final AtomicLong scoreCalls = new AtomicLong();
    private final AtomicLong scoreRequests = new AtomicLong();

    private ToyRewardModel(ToDoubleBiFunction<Prompt, TokenIds> function, long parameterCount) {
        this.function = Objects.requireNonNull(function, "function");
        if (parameterCount < 0) {
            throw new IllegalArgumentException("parameterCount must be >= 0, got " + parameterCount);
        }
        this.parameterCount = parameterCount;
    }

    /**
     * A reward depending on the completion ids only.
     *
     * @param f the reward of the completion ids, deterministic
     * @return the reward model
     */
    public static ToyRewardModel of(ToDoubleFunction<TokenIds> f) {
        Objects.requireNonNull(f, "f");
        return new ToyRewardModel((p, y) -> f.applyAsDouble(y), 0);
    }

    /**
     * A reward depending on the prompt and the completion ids.
     *
     * @param f the reward of (prompt, completion ids), deterministic
     * @return the reward model
     */
    public static ToyRewardModel of(ToDoubleBiFunction<Prompt, TokenIds> f) {
        return new ToyRewardModel(f, 0);
    }

    /**
     * Pseudo-random rewards: {@code scale * N(0,1)} drawn from a generator seeded by a hash of {@code seed}, the
     * prompt ids and the completion ids, so every distinct (prompt, completion) gets its own fixed reward.
     *
     * @param seed  the seed
     * @param scale the standard deviation of the rewards, finite and &gt;= 0
     * @return the reward model
     */
    public static ToyRewardModel seeded(long seed, double scale) {
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and >= 0, got " + scale);
        }
        return new ToyRewardModel((p, y) -> {
            long h = ToyLanguageModel.mix(ToyLanguageModel.mix(seed, p.ids().hashCode()), y.length());
            for (int i = 0; i < y.length(); i++) {
                h = ToyLanguageModel.mix(h, y.get(i));
            }
            return scale * new SplittableRandom(h).nextGaussian();
        }, 0);
    }

    /**
     * A copy reporting {@code n} parameters (for FLOPs accounting).
     *
     * @param n the parameter count, &gt;= 0
     * @return a copy reporting {@code n} parameters (for FLOPs accounting)
     */
    public ToyRewardModel withParameterCount(long n) {
        return new ToyRewardModel(function, n);
    }

    /**
     * The reward of one completion, without counting a call.
     *
     * @param prompt the prompt
     * @param completion the completion ids
     * @return the reward of one completion, without counting a call
     */
    public double reward(Prompt prompt, TokenIds completion) {
        return function.applyAsDouble(prompt, completion);
    }

    /**
     * Number of {@code score} batch calls so far.
     *
     * @return number of {@code score} batch calls so far
     */
    public long scoreCalls() {
        return scoreCalls.get();
    }

    /**
     * Number of requests over all {@code score} calls so far.
     *
     * @return number of requests over all {@code score} calls so far
     */
    public long scoreRequests() {
        return scoreRequests.get();
    }

    /** Resets the call counters. */
    public void resetCounters() {
        scoreCalls.set(0);
        scoreRequests.set(0);
    }

    @Override
    public List<Reward> score(List<RewardRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests must not be empty");
        }
        scoreCalls.incrementAndGet();
        scoreRequests.addAndGet(requests.size());
        List<Reward> out = new ArrayList<>(requests.size());
        for (RewardRequest r : requests) {
            double v = function.applyAsDouble(r.prompt(), r.completion());
            out.add(new Reward(v, new TokenUsage(r.prompt().ids().length() + r.completion().length(), 0, 0)));
        }
        return out;
    }

    @Override
    public long parameterCount() {
        return parameterCount;
    }
}
