package io.github.qalign.eval.ifeval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One IFEval prompt: its text and the verifiable instructions it contains (a row of {@code input_data.jsonl}).
 *
 * @param key            IFEval's integer key
 * @param prompt         the prompt text given to the model
 * @param instructionIds the instruction ids, e.g. {@code ["punctuation:no_comma", "detectable_format:title"]}
 * @param kwargs         one argument map per instruction, parallel to {@code instructionIds}
 */
public record IfEvalItem(int key, String prompt, List<String> instructionIds, List<Map<String, Object>> kwargs) {

    /**
     * Validates and copies the components.
     *
     * @param key            see the record description
     * @param prompt         see the record description
     * @param instructionIds see the record description
     * @param kwargs         see the record description
     * @throws IllegalArgumentException if the lists are empty or of different lengths
     */
    public IfEvalItem {
        Objects.requireNonNull(prompt, "prompt");
        instructionIds = List.copyOf(instructionIds);
        if (instructionIds.isEmpty() || kwargs.size() != instructionIds.size()) {
            throw new IllegalArgumentException("IFEval item " + key + ": instruction_id_list (" + instructionIds.size()
                    + ") and kwargs (" + kwargs.size() + ") must be non-empty and of the same length");
        }
        List<Map<String, Object>> copy = new ArrayList<>();
        for (Map<String, Object> m : kwargs) {
            copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(m))); // values may be null, as in the data
        }
        kwargs = List.copyOf(copy);
    }

    /**
     * The instructions with their arguments bound.
     *
     * @return one instruction per id, in order
     * @throws IllegalArgumentException if an id is unknown or its arguments are malformed (the message names the
     *                                  item key)
     */
    public List<Instruction> instructions() {
        List<Instruction> out = new ArrayList<>();
        for (int i = 0; i < instructionIds.size(); i++) {
            try {
                out.add(Instructions.create(instructionIds.get(i), kwargs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("IFEval item " + key + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
