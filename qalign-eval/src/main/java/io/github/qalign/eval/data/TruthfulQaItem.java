package io.github.qalign.eval.data;

import java.util.List;
import java.util.Objects;

/**
 * A TruthfulQA question in the multiple-choice settings (the 817-question release the Hugging Face
 * {@code truthful_qa/multiple_choice} dataset serves).
 *
 * @param index      the row in the released file, from 0
 * @param question   the question
 * @param mc1Choices MC1 options: exactly one is true; in the released order the true one is first
 * @param mc1Answer  index of the true MC1 option (0 in the released order)
 * @param mc2Choices MC2 options: several true and several false
 * @param mc2Labels  per MC2 option, whether it is true
 */
public record TruthfulQaItem(int index, String question, List<String> mc1Choices, int mc1Answer,
                             List<String> mc2Choices, List<Boolean> mc2Labels) {
    /**
     * Validates and copies the components.
     *
     * @param index      see the record description
     * @param question   see the record description
     * @param mc1Choices see the record description
     * @param mc1Answer  see the record description
     * @param mc2Choices see the record description
     * @param mc2Labels  see the record description
     */
    public TruthfulQaItem {
        Objects.requireNonNull(question, "question");
        mc1Choices = List.copyOf(mc1Choices);
        mc2Choices = List.copyOf(mc2Choices);
        mc2Labels = List.copyOf(mc2Labels);
        if (mc1Choices.size() < 2 || mc1Choices.size() > 26 || mc1Answer < 0 || mc1Answer >= mc1Choices.size()
                || mc2Labels.size() != mc2Choices.size()) {
            throw new IllegalArgumentException("TruthfulQA item '" + question + "': needs 2-26 MC1 choices with a valid"
                    + " answer index and one MC2 label per MC2 choice");
        }
    }

    /**
     * The letter of the true MC1 option.
     *
     * @return "A" to "Z"
     */
    public String mc1Letter() {
        return String.valueOf((char) ('A' + mc1Answer));
    }
}
