package io.github.qalign.djl.llama;

import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.TokenIds;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reward is read at the last non-pad token, as Hugging Face's {@code LlamaForSequenceClassification} pools
 * (the rightmost id that is not {@code pad_token_id}), checked against the independent {@link ReferenceLlama}.
 */
class RewardPadTokenTest {

    static final int PAD = 4;

    static LlamaConfig config(int pad) {
        return new LlamaConfig(LlamaConfig.SEQUENCE_CLASSIFICATION, 23, 32, 40, 2, 4, 2, 8, 128, 1e-5, 10000.0, null,
                false, 1, 1, new int[] {2}, pad);
    }

    @Test
    void scoredLengthFollowsTheRightmostNonPadRule() {
        assertThat(RewardModelRule.len(new int[] {1, 5, 6}, PAD)).isEqualTo(3);
        assertThat(RewardModelRule.len(new int[] {1, 5, 6, PAD, PAD}, PAD)).isEqualTo(3);
        // a pad id inside the sequence is an ordinary token: only trailing ones are skipped
        assertThat(RewardModelRule.len(new int[] {1, PAD, 6, PAD}, PAD)).isEqualTo(3);
        // every id the pad id: position 0, as torch.argmax over an all-zero mask
        assertThat(RewardModelRule.len(new int[] {PAD, PAD, PAD}, PAD)).isEqualTo(1);
        // no pad id in the config: the last token
        assertThat(RewardModelRule.len(new int[] {1, 5, PAD}, -1)).isEqualTo(3);
    }

    @Test
    void aSequenceEndingInThePadIdIsScoredAtTheTokenBeforeThePads() {
        TinyWeights w = new TinyWeights(config(PAD), 77);
        ReferenceLlama ref = new ReferenceLlama(w);
        try (LlamaRewardModel rm = new LlamaRewardModel(LlamaModelTest.model(w), null,
                LlamaOptions.builder().maxBatchSize(4).build(), true)) {
            Prompt p = new Prompt("p", TokenIds.of(1, 9, 10, 11));
            int[] y = {5, 6, 7};
            int[] yPadded = {5, 6, 7, PAD, PAD};
            int[] yInnerPad = {5, PAD, 7};
            List<Reward> r = rm.score(List.of(new RewardRequest(p, TokenIds.of(y), ""),
                    new RewardRequest(p, TokenIds.of(yPadded), ""), new RewardRequest(p, TokenIds.of(yInnerPad), "")));
            int[] full = p.ids().concat(TokenIds.of(y)).toArray();
            int[] paddedFull = p.ids().concat(TokenIds.of(yPadded)).toArray();
            double atLastNonPad = ref.score(full)[0];
            assertThat(r.get(0).value()).isCloseTo(atLastNonPad, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(r.get(1).value()).isCloseTo(atLastNonPad, org.assertj.core.data.Offset.offset(1e-4));
            // the old rule (the very last token, a pad) gives a clearly different value on these weights
            assertThat(Math.abs(ref.score(paddedFull)[0] - atLastNonPad)).isGreaterThan(1e-2);
            assertThat(r.get(1).usage().computedInputTokens() + r.get(1).usage().reusedInputTokens())
                    .isEqualTo(full.length);
            int[] inner = p.ids().concat(TokenIds.of(yInnerPad)).toArray();
            assertThat(r.get(2).value()).isCloseTo(ref.score(inner)[0], org.assertj.core.data.Offset.offset(1e-4));
        }
        // without a pad id the last token is scored, whatever its id
        TinyWeights w2 = new TinyWeights(config(-1), 77);
        try (LlamaRewardModel rm = new LlamaRewardModel(LlamaModelTest.model(w2), null,
                LlamaOptions.builder().build(), true)) {
            Prompt p = new Prompt("p", TokenIds.of(1, 9));
            int[] ids = {1, 9, 5, PAD};
            double v = rm.score(List.of(new RewardRequest(p, TokenIds.of(5, PAD), ""))).get(0).value();
            assertThat(v).isCloseTo(new ReferenceLlama(w2).score(ids)[0], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /** Indirection so the rule reads as one line in the assertions above. */
    private static final class RewardModelRule {
        static int len(int[] ids, int pad) {
            int n = LlamaRewardModel.scoredLength(ids, pad);
            assertThat(n).isBetween(1, ids.length);
            assertThat(Arrays.copyOf(ids, n)).isNotEmpty();
            return n;
        }
    }
}
