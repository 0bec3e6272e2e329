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
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/** Calls the models once per batch and checks their contract; a violation raises {@link ModelException}. */
final class ModelCalls {

    private ModelCalls() {
    }

    /**
     * One {@code generate} call, validated.
     *
     * @param where names request {@code j} in error messages (e.g. "prompt 2 chain 1, step 7")
     */
    static List<Generation> generate(LanguageModel lm, List<GenerationRequest> requests, SamplingConfig config,
                                     RandomGenerator rng, IntFunction<String> where) {
        List<Generation> gens = lm.generate(requests, config, rng);
        if (gens == null) {
            throw new ModelException("language model returned null instead of " + requests.size() + " generations");
        }
        if (gens.size() != requests.size()) {
            throw new ModelException("language model returned " + gens.size() + " generations for "
                    + requests.size() + " requests (batch size mismatch)");
        }
        int cap = config.maxCompletionTokens();
        for (int j = 0; j < gens.size(); j++) {
            Generation g = gens.get(j);
            GenerationRequest r = requests.get(j);
            if (g == null) {
                throw new ModelException("language model returned a null generation for " + where.apply(j));
            }
            int pl = r.prefix().length();
            if (g.prefixLength() != pl) {
                throw new ModelException("language model reported prefixLength " + g.prefixLength()
                        + " but the request prefix has " + pl + " tokens, for " + where.apply(j));
            }
            if (!g.completion().startsWith(r.prefix())) {
                throw new ModelException("language model completion does not start with the request prefix (prefix "
                        + pl + " tokens, completion " + g.completion().length() + " tokens), for " + where.apply(j));
            }
            if (g.completion().length() > cap) {
                throw new ModelException("language model completion has " + g.completion().length()
                        + " tokens, above the total cap maxCompletionTokens=" + cap + ", for " + where.apply(j));
            }
            if (g.completion().length() == pl && pl < cap) {
                throw new ModelException("language model returned an empty continuation (completion length "
                        + g.completion().length() + ", prefix " + pl + ", cap " + cap + "; EOS must be kept as a"
                        + " token), for " + where.apply(j));
            }
        }
        return gens;
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
            Reward r = rewards.get(j);
            if (r == null) {
                throw new ModelException("reward model returned a null reward for " + where.apply(j));
            }
            if (!Double.isFinite(r.value())) {
                throw new ModelException("reward model returned a non-finite reward " + r.value() + " for "
                        + where.apply(j));
            }
        }
        return rewards;
    }
}
