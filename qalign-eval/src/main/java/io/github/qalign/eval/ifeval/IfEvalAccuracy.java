package io.github.qalign.eval.ifeval;

import java.util.List;
import java.util.Locale;

/**
 * IFEval's four accuracies over a set of scored responses, as fractions in [0, 1].
 *
 * @param prompts           number of prompts scored
 * @param instructions      number of instructions over those prompts
 * @param promptStrict      fraction of prompts whose instructions are all followed, strictly
 * @param instructionStrict fraction of instructions followed, strictly
 * @param promptLoose       fraction of prompts whose instructions are all followed, loosely
 * @param instructionLoose  fraction of instructions followed, loosely
 */
public record IfEvalAccuracy(int prompts, int instructions, double promptStrict, double instructionStrict,
                             double promptLoose, double instructionLoose) {

    /**
     * The accuracies of a set of results.
     *
     * @param results the per-prompt results, not empty
     * @return the four accuracies
     * @throws IllegalArgumentException if {@code results} is empty
     */
    public static IfEvalAccuracy of(List<IfEvalResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no IFEval results to aggregate");
        }
        int ps = 0;
        int pl = 0;
        int n = 0;
        int is = 0;
        int il = 0;
        for (IfEvalResult r : results) {
            ps += r.allStrict() ? 1 : 0;
            pl += r.allLoose() ? 1 : 0;
            n += r.instructionIds().size();
            is += (int) r.strict().stream().filter(b -> b).count();
            il += (int) r.loose().stream().filter(b -> b).count();
        }
        double p = results.size();
        return new IfEvalAccuracy(results.size(), n, ps / p, is / (double) n, pl / p, il / (double) n);
    }

    /**
     * The four accuracies in percent, one per line, labelled as in the IFEval paper.
     *
     * @return a human-readable report
     */
    public String report() {
        return String.format(Locale.ROOT, "prompts: %d, instructions: %d%n"
                        + "prompt-level strict accuracy:      %6.2f%%%n"
                        + "instruction-level strict accuracy: %6.2f%%%n"
                        + "prompt-level loose accuracy:       %6.2f%%%n"
                        + "instruction-level loose accuracy:  %6.2f%%%n",
                prompts, instructions, 100 * promptStrict, 100 * instructionStrict, 100 * promptLoose,
                100 * instructionLoose);
    }
}
