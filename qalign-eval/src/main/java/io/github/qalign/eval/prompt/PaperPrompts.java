package io.github.qalign.eval.prompt;

import io.github.qalign.eval.data.Gsm8kItem;
import io.github.qalign.eval.data.MathItem;
import io.github.qalign.eval.data.MmluReduxItem;
import io.github.qalign.eval.data.TruthfulQaItem;
import io.github.qalign.eval.ifeval.IfEvalItem;
import io.github.qalign.model.ChatMessage;
import java.util.List;
import java.util.Objects;

/**
 * The evaluation prompts of the paper's Appendix D ("Prompts used for evaluation"), each as a one-message
 * conversation (a single user turn, no system prompt) for the model's chat template, as the paper's code sends them.
 *
 * <p>The wording is the appendix's, word for word. Line breaks, which the appendix's typeset boxes cannot show
 * reliably, follow the authors' code (github.com/goncalorafaria/qalign:
 * {@code scripts/create_all_general_experiments.sh} and {@code qalign/utils/data.py}). Where the two differ this
 * class follows the appendix and says so:
 * <ul>
 *   <li>MATH500: the appendix writes "LaTeX", the code's template "LaTex";</li>
 *   <li>MMLU-Redux: the code joins the subject's words with a leading space, giving "about  high school
 *       mathematics." with two spaces; here the subject follows one space, as in the appendix;</li>
 *   <li>TruthfulQA: the appendix has one template for TQA and MMLU with "about &lt;{subject}&gt;"; TruthfulQA has no
 *       subject, and the code drops the clause ("...multiple-choice question.\n\n"), as this class does.</li>
 * </ul>
 * IFEval prompts are sent as they are (the appendix gives no template for them; the code uses the identity).
 */
public final class PaperPrompts {

    /** Appendix D.1; {@code %s} is the question. */
    public static final String GSM8K = "Solve the following grade school math problem step-by-step: %s";
    /** Appendix D.2; {@code %s} is the problem. */
    public static final String MATH500 =
            "Solve the following math problem step-by-step: %s\n\n"
                    + "Present the answer in LaTeX format: \\boxed{Your answer}";
    /** Appendix D.3, opening with a subject; {@code %s} is the subject in words. */
    public static final String MC_INSTRUCTION_WITH_SUBJECT =
            "Choose the correct answer to the following multiple-choice question about %s.\n\n";
    /** Appendix D.3, opening without a subject (TruthfulQA). */
    public static final String MC_INSTRUCTION =
            "Choose the correct answer to the following multiple-choice question.\n\n";
    /** Appendix D.3, the question line; {@code %s} is the question. */
    public static final String MC_QUESTION = "Question: %s\n\n";
    /** Appendix D.3, one option line; the letter and the option text. */
    public static final String MC_OPTION = "%s). %s\n";
    /** Appendix D.3, the closing instruction. */
    public static final String MC_CLOSING = "\nProvide your reasoning about the answer and finish your answer with the "
            + "letter corresponding to the correct option (e.g., A, B, C, or D).\n\n";

    private PaperPrompts() {
    }

    /**
     * The GSM8K prompt (Appendix D.1).
     *
     * @param question the problem
     * @return one user message
     */
    public static List<ChatMessage> gsm8k(String question) {
        return user(String.format(GSM8K, Objects.requireNonNull(question, "question")));
    }

    /**
     * The GSM8K prompt for an item.
     *
     * @param item the problem
     * @return one user message
     */
    public static List<ChatMessage> gsm8k(Gsm8kItem item) {
        return gsm8k(item.question());
    }

    /**
     * The MATH500 prompt (Appendix D.2).
     *
     * @param problem the problem (LaTeX)
     * @return one user message
     */
    public static List<ChatMessage> math(String problem) {
        return user(String.format(MATH500, Objects.requireNonNull(problem, "problem")));
    }

    /**
     * The MATH500 prompt for an item.
     *
     * @param item the problem
     * @return one user message
     */
    public static List<ChatMessage> math(MathItem item) {
        return math(item.problem());
    }

    /**
     * The multiple-choice prompt (Appendix D.3): options lettered A, B, C, ...
     *
     * @param subject  the subject in words ("high school mathematics"), or null for none (TruthfulQA)
     * @param question the question
     * @param choices  the options, 1 to 26
     * @return one user message
     * @throws IllegalArgumentException if there are no options or more than 26
     */
    public static List<ChatMessage> multipleChoice(String subject, String question, List<String> choices) {
        Objects.requireNonNull(question, "question");
        if (choices.isEmpty() || choices.size() > 26) {
            throw new IllegalArgumentException("a multiple-choice prompt needs 1 to 26 options, got " + choices.size());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(subject == null ? MC_INSTRUCTION : String.format(MC_INSTRUCTION_WITH_SUBJECT, subject));
        sb.append(String.format(MC_QUESTION, question));
        for (int i = 0; i < choices.size(); i++) {
            sb.append(String.format(MC_OPTION, (char) ('A' + i), choices.get(i)));
        }
        sb.append(MC_CLOSING);
        return user(sb.toString());
    }

    /**
     * The MMLU-Redux prompt: Appendix D.3 with the subject's words ({@code high_school_mathematics} becomes
     * "high school mathematics").
     *
     * @param item the question
     * @return one user message
     */
    public static List<ChatMessage> mmluRedux(MmluReduxItem item) {
        return multipleChoice(item.subject().replace('_', ' '), item.question(), item.choices());
    }

    /**
     * The TruthfulQA prompt: Appendix D.3 without a subject, over the MC1 options in their released order (the true
     * answer first, so its letter is A), as the paper's code builds it.
     *
     * @param item the question
     * @return one user message
     */
    public static List<ChatMessage> truthfulQa(TruthfulQaItem item) {
        return multipleChoice(null, item.question(), item.mc1Choices());
    }

    /**
     * The IFEval prompt, unchanged.
     *
     * @param item the prompt
     * @return one user message
     */
    public static List<ChatMessage> ifeval(IfEvalItem item) {
        return user(item.prompt());
    }

    private static List<ChatMessage> user(String content) {
        return List.of(ChatMessage.user(content));
    }
}
