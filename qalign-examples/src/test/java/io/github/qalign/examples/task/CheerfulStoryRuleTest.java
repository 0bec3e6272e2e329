package io.github.qalign.examples.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CheerfulStoryRuleTest {

    private final CheerfulStoryRule rule = CheerfulStoryRule.defaults();

    @Test
    void joyWithoutDistressScoresOne() {
        assertThat(rule.score("p", " She smiled at the dog.")).isEqualTo(1.0);
        assertThat(rule.score("p", "They had FUN!")).isEqualTo(1.0);
    }

    @Test
    void anyDistressWordScoresZeroEvenWithJoy() {
        assertThat(rule.score("p", "She was happy. Then she was sad.")).isEqualTo(0.0);
        assertThat(rule.score("p", "He cried, then laughed.")).isEqualTo(0.0);
    }

    @Test
    void noJoyScoresZero() {
        assertThat(rule.score("p", "The ball rolled away.")).isEqualTo(0.0);
        assertThat(rule.score("p", "")).isEqualTo(0.0);
    }

    @Test
    void wordsMatchExactlyNotAsSubstrings() {
        // "unhappy" and "funny" are other words; "madness" is not "mad"
        assertThat(rule.score("p", "The unhappy funny frog.")).isEqualTo(0.0);
        assertThat(rule.score("p", "Such madness, she smiled.")).isEqualTo(1.0);
    }

    @Test
    void thePromptIsNotJudged() {
        assertThat(rule.score("She was happy.", " The end.")).isEqualTo(0.0);
    }

    @Test
    void rejectsOverlappingOrEmptyWordLists() {
        assertThatThrownBy(() -> new CheerfulStoryRule(Set.of(), Set.of("sad")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("joyWords");
        assertThatThrownBy(() -> new CheerfulStoryRule(Set.of("happy"), Set.of("happy")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'happy'");
    }
}
