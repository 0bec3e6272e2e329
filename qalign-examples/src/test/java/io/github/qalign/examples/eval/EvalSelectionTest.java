package io.github.qalign.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.examples.eval.EvalSelection.Pick;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-dataset selection rules on hand-made samples. */
class EvalSelectionTest {

    private static ScoredSample s(String text, double reward) {
        return new ScoredSample(TokenIds.of(text.chars().toArray()), text, reward, FinishReason.EOS);
    }

    private static final Optional<AnswerExtractor> GSM = Optional.of(AnswerExtractor.gsm8k());

    // answers 1, 1, 2 with rewards 0, 0, 5
    private static final List<ScoredSample> VOTES = List.of(s("so the answer is 1", 0), s("the answer is 1", 0),
            s("hence 2", 5));

    @Test
    void answerDatasetsVoteOnExtractedAnswers() {
        List<Pick> mv = EvalSelection.sweep(Method.MV, GSM, 1.0, VOTES);
        assertThat(mv).extracting(Pick::budget).containsExactly(1, 2, 3);
        assertThat(mv).extracting(p -> p.answer().orElseThrow()).containsExactly("1", "1", "1");
        // importance weights e^-5, e^-5, 1: the high-reward answer wins
        List<Pick> wmv = EvalSelection.sweep(Method.WMV, GSM, 1.0, VOTES);
        assertThat(wmv.get(2).answer()).contains("2");
        assertThat(wmv.get(2).index()).isEqualTo(2);
        List<Pick> bon = EvalSelection.sweep(Method.BON, GSM, 1.0, VOTES);
        assertThat(bon).extracting(Pick::index).containsExactly(0, 0, 2);
        assertThat(bon.get(2).answer()).contains("2");
        // QAlign's chain states are samples of the target: a plain majority vote
        assertThat(EvalSelection.sweep(Method.QALIGN, GSM, 1.0, VOTES)).isEqualTo(mv);
    }

    @Test
    void aVoteWithoutAnyAnswerPicksNothing() {
        List<Pick> mv = EvalSelection.sweep(Method.MV, GSM, 1.0, List.of(s("no number here", 0)));
        assertThat(mv).containsExactly(new Pick(1, -1, Optional.empty()));
    }

    @Test
    void openEndedDatasetsUseMbrWithRouge() {
        List<ScoredSample> texts = List.of(s("abcd", 0), s("abce", 0), s("wxyz", 10));
        List<Pick> mv = EvalSelection.sweep(Method.MV, Optional.empty(), 0.1, texts);
        assertThat(mv.get(2).index()).isIn(0, 1);
        assertThat(mv.get(2).answer()).isEmpty();
        // importance weights put all mass on the third sample: its own utility wins
        assertThat(EvalSelection.sweep(Method.WMV, Optional.empty(), 0.1, texts).get(2).index()).isEqualTo(2);
        assertThat(EvalSelection.sweep(Method.QALIGN, Optional.empty(), 0.1, texts)).isEqualTo(mv);
        assertThat(EvalSelection.sweep(Method.BON, Optional.empty(), 0.1, texts).get(2).index()).isEqualTo(2);
    }
}
