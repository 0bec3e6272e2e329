package io.github.qalign.sampler;

import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Calls the models once per batch and checks their contract (a violation raises {@link ModelException}); also the
 * argument checks shared by the samplers' {@code run} methods.
 */
final class ModelCalls {

    private ModelCalls() {
    }

    /**
     * Checks the arguments of a sampler's {@code run} and returns the number of requests per batch.
     *
     * @param prompts   the prompts: not null, not empty, no null element
     * @param perPrompt chains (or samples) per prompt, already validated &gt;= 1
     * @param perName   the name of {@code perPrompt} in error messages
     * @return {@code prompts.size() * perPrompt}
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null, or the product overflows an int
     */
    static int checkRunArguments(List<?> prompts, int perPrompt, String perName) {
        Objects.requireNonNull(prompts, "prompts");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
        for (int p = 0; p < prompts.size(); p++) {
            if (prompts.get(p) == null) {
                throw new IllegalArgumentException("prompts[" + p + "] is null");
            }
        }
        long total = (long) prompts.size() * perPrompt;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many requests per batch: " + prompts.size() + " prompts * "
                    + perName + " " + perPrompt + " = " + total + " exceeds " + Integer.MAX_VALUE);
        }
        return (int) total;
    }

    /**
     * Keys every prompt by its content ({@link KeyedPrompt#of(Prompt)}).
     *
     * @throws IllegalArgumentException if {@code prompts} is empty or holds null
     */
    static List<KeyedPrompt> keyed(List<io.github.qalign.model.Prompt> prompts) {
        checkRunArguments(prompts, 1, "perPrompt");
        List<KeyedPrompt> out = new java.util.ArrayList<>(prompts.size());
        for (io.github.qalign.model.Prompt p : prompts) {
            out.add(KeyedPrompt.of(p));
        }
        return out;
    }

    /**
     * One {@code generate} call, validated.
     *
     * @param where names request {@code j} in error messages (e.g. "prompt 2 chain 1, step 7")
     */
    static List<Generation> generate(LanguageModel lm, List<GenerationRequest> requests, SamplingConfig config,
                                     IntFunction<String> where) {
        List<Generation> gens = lm.generate(requests, config);
        if (gens == null) {
            throw new ModelException("language model returned null instead of " + requests.size() + " generations");
        }
        if (gens.size() != requests.size()) {
            throw new ModelException("language model returned " + gens.size() + " generations for "
                    + requests.size() + " requests (batch size mismatch)");
        }
        int cap = config.maxCompletionTokens();
        for (int j = 0; j < gens.size(); j++) {
            checkGeneration(requests.get(j), gens.get(j), cap, where.apply(j));
        }
        return gens;
    }

    /**
     * Checks one generation against its request (the per-request part of the contract).
     *
     * @param where names the request in error messages
     * @throws ModelException if the generation breaks the contract
     */
    static void checkGeneration(GenerationRequest r, Generation g, int cap, String where) {
        if (g == null) {
            throw new ModelException("language model returned a null generation for " + where);
        }
        int pl = r.prefix().length();
        if (g.prefixLength() != pl) {
            throw new ModelException("language model reported prefixLength " + g.prefixLength()
                    + " but the request prefix has " + pl + " tokens, for " + where);
        }
        if (!g.completion().startsWith(r.prefix())) {
            throw new ModelException("language model completion does not start with the request prefix (prefix "
                    + pl + " tokens, completion " + g.completion().length() + " tokens), for " + where);
        }
        if (g.completion().length() > cap) {
            throw new ModelException("language model completion has " + g.completion().length()
                    + " tokens, above the total cap maxCompletionTokens=" + cap + ", for " + where);
        }
        if (g.completion().length() == pl && pl < cap) {
            throw new ModelException("language model returned an empty continuation (completion length "
                    + g.completion().length() + ", prefix " + pl + ", cap " + cap + "; EOS must be kept as a"
                    + " token), for " + where);
        }
    }

    /**
     * Checks one reward: not null, finite.
     *
     * @throws ModelException if it is not
     */
    static void checkReward(Reward r, String where) {
        if (r == null) {
            throw new ModelException("reward model returned a null reward for " + where);
        }
        if (!Double.isFinite(r.value())) {
            throw new ModelException("reward model returned a non-finite reward " + r.value() + " for " + where);
        }
    }

    /** One {@code score} call, validated. */
    static List<Reward> score(RewardModel rm, List<RewardRequest> requests, IntFunction<String> where) {
        List<Reward> rewards = rm.score(requests);
        if (rewards == null) {
            throw new ModelException("reward model returned null instead of " + requests.size() + " rewards");
        }
        if (rewards.size() != requests.size()) {
            throw new ModelException("reward model returned " + rewards.size() + " rewards for "
                    + requests.size() + " requests (batch size mismatch)");
        }
        for (int j = 0; j < rewards.size(); j++) {
            checkReward(rewards.get(j), where.apply(j));
        }
        return rewards;
    }
}
