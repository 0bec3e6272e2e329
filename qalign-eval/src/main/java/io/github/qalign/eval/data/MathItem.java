package io.github.qalign.eval.data;

import java.util.Objects;

/**
 * A MATH500 problem.
 *
 * @param uniqueId the MATH file it comes from, e.g. {@code "test/precalculus/807.json"}
 * @param problem  the problem (LaTeX)
 * @param solution the reference solution (LaTeX), its final answer in {@code \boxed{...}}
 * @param answer   the gold answer as a LaTeX string, e.g. {@code "\frac{14}{3}"}
 * @param subject  one of the seven MATH subjects
 * @param level    difficulty 1 (easiest) to 5
 */
public record MathItem(String uniqueId, String problem, String solution, String answer, String subject, int level) {
    /**
     * Validates the components.
     *
     * @param uniqueId see the record description
     * @param problem  see the record description
     * @param solution see the record description
     * @param answer   see the record description
     * @param subject  see the record description
     * @param level    see the record description
     */
    public MathItem {
        Objects.requireNonNull(uniqueId, "uniqueId");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(solution, "solution");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(subject, "subject");
    }
}
