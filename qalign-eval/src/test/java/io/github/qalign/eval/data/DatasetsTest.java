package io.github.qalign.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.eval.ifeval.IfEvalItem;
import io.github.qalign.eval.ifeval.Instructions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The bundled datasets load completely, with the sizes, fields and counts that PROVENANCE.md states. */
class DatasetsTest {

    @Test
    void gsm8kTestHas1319ProblemsWithCanonicalAnswers() {
        List<Gsm8kItem> items = Datasets.gsm8kTest();
        assertThat(items).hasSize(1319);
        assertThat(items.get(0).answer()).isEqualTo("18");
        assertThat(items).allSatisfy(i -> assertThat(i.answer()).matches("-?\\d+(\\.\\d+)?"));
        // 14 finals are written with thousands separators upstream ("#### 1,000"); the answers carry none
        assertThat(items.stream().filter(i -> i.solution().matches("(?s).*####\\s*-?\\d{1,3}(,\\d{3})+\\s*$")).count())
                .isEqualTo(14);
    }

    @Test
    void math500Has500ProblemsOverSevenSubjectsAndFiveLevels() {
        List<MathItem> items = Datasets.math500();
        assertThat(items).hasSize(500);
        assertThat(items.stream().map(MathItem::subject).distinct()).hasSize(7);
        assertThat(items.stream().map(MathItem::level).distinct().sorted()).containsExactly(1, 2, 3, 4, 5);
        assertThat(items.stream().map(MathItem::uniqueId).distinct()).hasSize(500);
    }

    @Test
    void mmluReduxHas57SubjectsOf100AndTheDocumentedErrorCounts() {
        List<MmluReduxItem> all = Datasets.mmluRedux();
        assertThat(all).hasSize(5700);
        Map<String, Long> perSubject = all.stream().collect(Collectors.groupingBy(MmluReduxItem::subject,
                Collectors.counting()));
        assertThat(perSubject).hasSize(57).allSatisfy((s, n) -> assertThat(n).isEqualTo(100));
        Map<String, Long> errors = all.stream().collect(Collectors.groupingBy(MmluReduxItem::errorType,
                Collectors.counting()));
        assertThat(errors).containsExactlyInAnyOrderEntriesOf(Map.of("ok", 5330L, "bad_question_clarity", 132L,
                "wrong_groundtruth", 107L, "multiple_correct_answers", 39L, "no_correct_answer", 35L, "expert", 32L,
                "bad_options_clarity", 25L));
        assertThat(all.stream().filter(i -> i.correctedAnswer() != null)).hasSize(102);
        assertThat(all.stream().filter(i -> i.goldAnswer().isPresent())).hasSize(5432);
        // mmlu_moral_scenarios.csv is CP1252 upstream and must decode without replacement characters; the only
        // U+FFFD in the data are the 4 global_facts questions that carry them in the upstream UTF-8 file itself
        assertThat(all.stream().filter(i -> i.subject().equals("moral_scenarios"))).hasSize(100)
                .noneMatch(i -> i.question().contains("\uFFFD"))
                .anyMatch(i -> i.question().contains("I/me/my"));
        assertThat(all.stream().filter(i -> i.question().contains("\uFFFD")).map(MmluReduxItem::subject))
                .containsOnly("global_facts").hasSize(4);
    }

    @Test
    void mmluReduxPaperSubjectsKeep2803Of3000() {
        assertThat(Datasets.MMLU_REDUX_PAPER_SUBJECTS).hasSize(30).doesNotHaveDuplicates();
        assertThat(Datasets.mmluReduxScored(Datasets.MMLU_REDUX_PAPER_SUBJECTS)).hasSize(2803);
        assertThatThrownBy(() -> Datasets.mmluReduxScored(List.of("astrology")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("astrology");
    }

    @Test
    void goldAnswerFollowsTheErrorConvention() {
        List<String> c = List.of("a", "b", "c", "d");
        assertThat(new MmluReduxItem("s", 0, "q", c, 2, "ok", null).goldLetter()).contains("C");
        assertThat(new MmluReduxItem("s", 0, "q", c, 2, "wrong_groundtruth", 0).goldLetter()).contains("A");
        assertThat(new MmluReduxItem("s", 0, "q", c, 2, "wrong_groundtruth", null).goldAnswer()).isEmpty();
        assertThat(new MmluReduxItem("s", 0, "q", c, 2, "bad_question_clarity", null).goldAnswer()).isEmpty();
        assertThat(new MmluReduxItem("s", 0, "q", c, 2, "expert", null).goldAnswer()).isEmpty();
    }

    @Test
    void truthfulQaHas817QuestionsWithTheTrueMc1OptionFirst() {
        List<TruthfulQaItem> items = Datasets.truthfulQa();
        assertThat(items).hasSize(817);
        assertThat(items).allSatisfy(i -> assertThat(i.mc1Answer()).isZero());
        assertThat(items).allSatisfy(i -> assertThat(i.mc2Labels()).contains(true, false));
        assertThat(items.stream().mapToInt(i -> i.mc1Choices().size()).max().orElseThrow()).isEqualTo(13);
    }

    @Test
    void ifevalHas541PromptsWhoseInstructionsAllBind() {
        List<IfEvalItem> items = Datasets.ifeval();
        assertThat(items).hasSize(541);
        assertThat(items.stream().mapToInt(i -> i.instructionIds().size()).sum()).isEqualTo(834);
        assertThat(items.stream().flatMap(i -> i.instructionIds().stream()).distinct())
                .containsExactlyInAnyOrderElementsOf(Instructions.ids());
        assertThat(items).allSatisfy(i -> assertThat(i.instructions()).hasSameSizeAs(i.instructionIds()));
        assertThat(items.stream().collect(Collectors.toMap(IfEvalItem::key, Function.identity()))).hasSize(541);
    }
}
