package io.github.qalign.eval.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An MMLU-Redux question with its annotation.
 *
 * @param subject         the MMLU subject, e.g. {@code "high_school_mathematics"}
 * @param index           the row within its subject's annotation file, from 0
 * @param question        the question
 * @param choices         the four options, for letters A-D
 * @param answer          the original MMLU gold option, 0-3
 * @param errorType       the MMLU-Redux annotation, normalised: {@code ok}, {@code wrong_groundtruth},
 *                        {@code bad_question_clarity}, {@code bad_options_clarity}, {@code no_correct_answer},
 *                        {@code multiple_correct_answers} or {@code expert}
 * @param correctedAnswer for {@code wrong_groundtruth}, the option the annotators give as correct (0-3), if they
 *                        named exactly one; otherwise null
 */
public record MmluReduxItem(String subject, int index, String question, List<String> choices, int answer,
                            String errorType, Integer correctedAnswer) {
    /**
     * Validates and copies the components.
     *
     * @param subject         see the record description
     * @param index           see the record description
     * @param question        see the record description
     * @param choices         see the record description
     * @param answer          see the record description
     * @param errorType       see the record description
     * @param correctedAnswer see the record description
     */
    public MmluReduxItem {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(errorType, "errorType");
        choices = List.copyOf(choices);
        if (choices.size() != 4 || answer < 0 || answer > 3
                || (correctedAnswer != null && (correctedAnswer < 0 || correctedAnswer > 3))) {
            throw new IllegalArgumentException("MMLU-Redux item in " + subject
                    + " needs 4 choices and answers in 0-3, got " + choices.size() + " choices, answer " + answer
                    + ", corrected " + correctedAnswer);
        }
    }

    /**
     * The gold option for scoring, following the MMLU-Redux error taxonomy: the original answer for questions annotated
     * {@code ok}; the annotators' corrected option for {@code wrong_groundtruth} when they named one; none (the
     * question is not scored) for every other error type.
     *
     * @return the gold option index 0-3, or empty if the question is excluded
     */
    public Optional<Integer> goldAnswer() {
        if (errorType.equals("ok")) {
            return Optional.of(answer);
        }
        if (errorType.equals("wrong_groundtruth")) {
            return Optional.ofNullable(correctedAnswer);
        }
        return Optional.empty();
    }

    /**
     * The gold option as a letter, see {@link #goldAnswer()}.
     *
     * @return "A" to "D", or empty if the question is excluded
     */
    public Optional<String> goldLetter() {
        return goldAnswer().map(i -> String.valueOf((char) ('A' + i)));
    }
}
