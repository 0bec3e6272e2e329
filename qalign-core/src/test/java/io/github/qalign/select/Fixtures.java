package io.github.qalign.select;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Sample lists for selector tests. */
final class Fixtures {

    private Fixtures() {
    }

    /** A sample whose completion ids are the text's chars. */
    static ScoredSample sample(String text, double reward) {
        return new ScoredSample(TokenIds.of(text.chars().toArray()), text, reward, FinishReason.EOS);
    }

    /**
     * Samples whose text is "a&lt;k&gt;" for answer code k >= 0 and blank (no answer under the identity extractor)
     * for k < 0, with dyadic rewards k/8 (exact in binary, so shifts and scalings by powers of two are exact).
     */
    static List<ScoredSample> samples(List<Integer> answerCodes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ScoredSample> out = new ArrayList<>();
        for (int code : answerCodes) {
            double reward = rnd.nextInt(-800, 801) / 8.0;
            out.add(sample(code < 0 ? "  " : "a" + code, reward));
        }
        return out;
    }

    static List<ScoredSample> mapRewards(List<ScoredSample> in, java.util.function.DoubleUnaryOperator f) {
        List<ScoredSample> out = new ArrayList<>();
        for (ScoredSample s : in) {
            out.add(new ScoredSample(s.completion(), s.text(), f.applyAsDouble(s.reward()), s.finishReason()));
        }
        return out;
    }

    /** Random token sequences with repeats (like chain states). */
    static List<ScoredSample> tokenSamples(int n, int distinct, int maxLen, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ScoredSample> pool = new ArrayList<>();
        for (int d = 0; d < distinct; d++) {
            int len = rnd.nextInt(1, maxLen + 1);
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                ids[j] = rnd.nextInt(vocab);
            }
            pool.add(new ScoredSample(TokenIds.of(ids), "s" + d, rnd.nextInt(-80, 81) / 8.0, FinishReason.EOS));
        }
        List<ScoredSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool.get(rnd.nextInt(distinct)));
        }
        return out;
    }
}
