package io.github.qalign.examples.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoryPromptsTest {

    @Test
    void splitsHaveTheirSizesAndAreDisjoint() {
        List<String> eval = StoryPrompts.split(PromptSplit.EVAL);
        List<String> held = StoryPrompts.split(PromptSplit.HELD_OUT);
        List<String> train = StoryPrompts.split(PromptSplit.TRAIN);
        assertThat(eval).hasSize(StoryPrompts.EVAL_SIZE);
        assertThat(held).hasSize(StoryPrompts.HELD_OUT_SIZE);
        assertThat(train).hasSize(StoryPrompts.TRAIN_SIZE);
        Set<String> all = new HashSet<>(eval);
        all.addAll(held);
        all.addAll(train);
        assertThat(all).hasSize(eval.size() + held.size() + train.size());
    }

    @Test
    void isDeterministicAndPinned() {
        // pinned so that an accidental change of the generator (which would invalidate the trained reward model's
        // provenance and the results) fails loudly
        assertThat(StoryPrompts.split(PromptSplit.EVAL).get(0)).isEqualTo("Mia and Max were playing at the river.");
        assertThat(StoryPrompts.split(PromptSplit.HELD_OUT).get(0))
                .isEqualTo("Once upon a time, there was a kind bear named Amy.");
        assertThat(StoryPrompts.split(PromptSplit.TRAIN).get(0)).isEqualTo("One day, Lucy went to the forest.");
        assertThat(StoryPrompts.split(PromptSplit.EVAL, 3)).containsExactlyElementsOf(
                StoryPrompts.all().subList(0, 3));
        assertThat(String.join("|", StoryPrompts.all()).hashCode()).isEqualTo(PINNED_HASH);
    }

    @Test
    void noOpeningIsAlreadyJudgedCheerfulOrSad() {
        CheerfulStoryRule rule = CheerfulStoryRule.defaults();
        CheerfulStoryRule inverse = new CheerfulStoryRule(CheerfulStoryRule.DISTRESS, Set.of());
        for (String p : StoryPrompts.all()) {
            assertThat(rule.score("", p)).as(p).isEqualTo(0.0);
            assertThat(inverse.score("", p)).as(p).isEqualTo(0.0);
        }
    }

    @Test
    void rejectsBadCounts() {
        assertThatThrownBy(() -> StoryPrompts.split(PromptSplit.EVAL, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EVAL");
        assertThatThrownBy(() -> StoryPrompts.split(PromptSplit.EVAL, 65))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 64]");
    }

    private static final int PINNED_HASH = -568771907;
}
