package io.github.qalign.bench;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The measurement drivers of this module ({@link QAlignReuse}, {@link ChainMemory}) on the embedded stories260K, with
 * the bounds the runtime promises: QAlign proposals compute about half of |y| per step, and chain steps do not grow
 * native memory. (Moved from qalign-djl's Stories260kTest together with the drivers.)
 */
class Stories260kChainTest {

    static LlamaLanguageModel lm;

    @BeforeAll
    static void load() {
        lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), LlamaOptions.builder().maxBatchSize(16).build());
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    /** A reward model on the stories260K backbone with a random score head (shares the policy tokenizer). */
    static LlamaRewardModel storiesRewardModel() {
        return QAlignReuse.storiesRewardModelWithRandomHead(
                LlamaOptions.builder().maxBatchSize(16).build(), 7);
    }

    /**
     * QAlign-style chains: each step proposes y[0:i] + a fresh continuation (i uniform in [0, |y|)), scores it, and
     * accepts by the independent Metropolis-Hastings rule of the paper. The counters must show that only about half
     * of |y| is computed per step, for the policy and for the reward model.
     */
    @Test
    void qalignProposalsComputeAboutHalfTheSequencePerStep() {
        try (LlamaRewardModel rm = storiesRewardModel()) {
            QAlignReuse.Result res = QAlignReuse.run(lm, rm, 8, 12, 64, 1.0, new SplittableRandom(99));
            System.out.println("stories260K QAlign reuse: " + res);
            assertThat(res.policyNewPerStep()).isLessThanOrEqualTo(0.6);
            assertThat(res.rewardNewPerStep()).isLessThanOrEqualTo(0.6);
            assertThat(res.steps()).isEqualTo(8 * 12);
        }
    }

    /** 1,000 chain-like steps (truncate to a random prefix, decode a few tokens) without native growth. */
    @Test
    void chainStepsDoNotGrowNativeMemory() {
        ChainMemory.Result res = ChainMemory.run(lm, 1000, 8, new SplittableRandom(5), 100);
        System.out.println("stories260K chain memory: " + res);
        assertThat(res.steps()).isGreaterThanOrEqualTo(1000);
        assertThat(res.managedArraysGrowth()).isZero();
        // The exact check is managedArraysGrowth == 0 above. RSS (Java heap growth, malloc arenas) wobbles by tens of
        // MB (seen: +48 MB at step 200, then back down; +12 MB jumps between two samples), so the RSS check is on
        // the trend: the peak of the second half of the run may not exceed the peak of the first half (after the
        // first sample) by more than 48 MB. Leaking one KV slot per step (5 layers x K/V x 4 heads x 512 x 8 floats
        // = 655 KB) would add ~330 MB over the second half and fail; finer leaks are the business of
        // DjlChainMemoryBench, which runs the same loop for 10,000 steps.
        long firstHalfMax = 0;
        long secondHalfMax = 0;
        for (String sample : res.samples().subList(1, res.samples().size())) {
            String[] parts = sample.split(":");
            long step = Long.parseLong(parts[0]);
            long kb = Long.parseLong(parts[1]);
            if (step <= res.steps() / 2) {
                firstHalfMax = Math.max(firstHalfMax, kb);
            } else {
                secondHalfMax = Math.max(secondHalfMax, kb);
            }
        }
        assertThat(firstHalfMax).isPositive();
        assertThat(secondHalfMax - firstHalfMax).isLessThan(48_000);
    }
}
