package io.github.qalign.examples.train;

import io.github.qalign.model.Prompt;
import io.github.qalign.model.TokenIds;
import java.util.Objects;

/**
 * One preference pair of completions of the same prompt.
 *
 * @param prompt       the prompt (text and policy ids)
 * @param chosen       the preferred completion's ids (EOS kept if it ended)
 * @param chosenText   its text
 * @param rejected     the dispreferred completion's ids
 * @param rejectedText its text
 */
public record PreferencePair(Prompt prompt, TokenIds chosen, String chosenText, TokenIds rejected,
                             String rejectedText) {
    public PreferencePair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(chosenText, "chosenText");
        Objects.requireNonNull(rejected, "rejected");
        Objects.requireNonNull(rejectedText, "rejectedText");
    }

    /** The reward model's input for the chosen completion: prompt ids then completion ids. */
    public int[] chosenInput() {
        return prompt.ids().concat(chosen).toArray();
    }

    /** The reward model's input for the rejected completion. */
    public int[] rejectedInput() {
        return prompt.ids().concat(rejected).toArray();
    }
}
