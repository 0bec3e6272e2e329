package io.github.qalign.eval.ifeval;

import java.util.List;

/**
 * The verdicts for one response to one IFEval prompt.
 *
 * @param key            the item's key
 * @param instructionIds the instruction ids, in order
 * @param strict         per instruction: followed by the response as it is
 * @param loose          per instruction: followed by the response or one of its seven loose variants (first and/or
 *                       last line removed, {@code *} removed)
 */
public record IfEvalResult(int key, List<String> instructionIds, List<Boolean> strict, List<Boolean> loose) {

    /**
     * Validates and copies the components.
     *
     * @param key            see the record description
     * @param instructionIds see the record description
     * @param strict         see the record description
     * @param loose          see the record description
     */
    public IfEvalResult {
        instructionIds = List.copyOf(instructionIds);
        strict = List.copyOf(strict);
        loose = List.copyOf(loose);
        if (strict.size() != instructionIds.size() || loose.size() != instructionIds.size()) {
            throw new IllegalArgumentException(
                    "verdict lists must match the " + instructionIds.size() + " instructions");
        }
    }

    /**
     * Whether every instruction is followed, strictly.
     *
     * @return the prompt-level strict verdict
     */
    public boolean allStrict() {
        return !strict.contains(Boolean.FALSE);
    }

    /**
     * Whether every instruction is followed, loosely.
     *
     * @return the prompt-level loose verdict
     */
    public boolean allLoose() {
        return !loose.contains(Boolean.FALSE);
    }

    @Override
    public String toString() {
        return "IfEvalResult[key=" + key + ", strict=" + strict + ", loose=" + loose + "]";
    }
}
