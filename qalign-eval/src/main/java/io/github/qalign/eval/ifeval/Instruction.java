package io.github.qalign.eval.ifeval;

/**
 * One verifiable instruction of an IFEval prompt, with its arguments bound (e.g. "at least 300 words").
 *
 * <p>Implementations are immutable, thread-safe and pure: the verdict depends only on the response text. Create
 * them with {@link Instructions#create(String, java.util.Map)}.
 */
public interface Instruction {

    /**
     * The instruction id as IFEval names it, e.g. {@code "length_constraints:number_words"}.
     *
     * @return the id
     */
    String id();

    /**
     * Whether {@code response} follows this instruction, judged as the reference checker's
     * {@code check_following} judges it (before any strict/loose handling of the response).
     *
     * @param response the model's response, not null
     * @return true if the instruction is followed
     */
    boolean isFollowed(String response);
}
