package io.github.qalign.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Scores responses to IFEval prompts in the reference's strict and loose modes ({@code evaluation_lib.py}).
 *
 * <p>Strict: an instruction is followed if the response is not blank and the checker accepts it. Loose: it is
 * followed if the checker accepts any non-blank one of eight variants: the response; the response without its
 * first line, without its last line, without both (each stripped); and those four with every {@code *} removed. This
 * forgives a model's "Sure, here is..." opening line, a closing remark, and markdown emphasis.
 */
public final class IfEvalEvaluator {

    private IfEvalEvaluator() {
    }

    /**
     * The strict and loose verdicts for one response.
     *
     * @param item     the IFEval item the response answers
     * @param response the model's response
     * @return the per-instruction verdicts
     * @throws IllegalArgumentException if the item names an unknown instruction or malformed arguments
     */
    public static IfEvalResult evaluate(IfEvalItem item, String response) {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(response, "response");
        List<String> variants = looseVariants(response);
        List<Boolean> strict = new ArrayList<>();
        List<Boolean> loose = new ArrayList<>();
        for (Instruction instruction : item.instructions()) {
            strict.add(followed(instruction, response));
            boolean any = false;
            for (String v : variants) {
                if (followed(instruction, v)) {
                    any = true;
                    break;
                }
            }
            loose.add(any);
        }
        return new IfEvalResult(item.key(), item.instructionIds(), strict, loose);
    }

    private static boolean followed(Instruction instruction, String response) {
        return !PyText.strip(response).isEmpty() && instruction.isFollowed(response);
    }

    /** The response and its seven loose variants, in the reference's order. */
    static List<String> looseVariants(String response) {
        List<String> lines = PyText.split(response, "\n");
        int n = lines.size();
        String removeFirst = PyText.strip(String.join("\n", lines.subList(Math.min(1, n), n)));
        String removeLast = PyText.strip(String.join("\n", lines.subList(0, Math.max(0, n - 1))));
        String removeBoth = n >= 2 ? PyText.strip(String.join("\n", lines.subList(1, n - 1))) : "";
        return List.of(response, response.replace("*", ""), removeFirst, removeLast, removeBoth,
                removeFirst.replace("*", ""), removeLast.replace("*", ""), removeBoth.replace("*", ""));
    }
}
