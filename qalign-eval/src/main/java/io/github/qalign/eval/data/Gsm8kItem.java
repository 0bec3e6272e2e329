package io.github.qalign.eval.data;

import java.util.Objects;

/**
 * A GSM8K test problem.
 *
 * @param index    the row index in {@code test.jsonl}, from 0
 * @param question the problem text
 * @param solution the reference solution, with calculator annotations and the final {@code #### N} line
 * @param answer   the final answer, canonical as {@link io.github.qalign.answer.Gsm8kAnswerExtractor} writes it
 *                 (thousands separators removed, e.g. "1000")
 */
public record Gsm8kItem(int index, String question, String solution, String answer) {
    /**
     * Validates the components.
     *
     * @param index    see the record description
     * @param question see the record description
     * @param solution see the record description
     * @param answer   see the record description
     */
    public Gsm8kItem {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(solution, "solution");
        Objects.requireNonNull(answer, "answer");
    }
}
