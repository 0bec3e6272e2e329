package io.github.qalign.eval;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ChatMessage;
import java.util.List;
import java.util.Optional;

/**
 * One of the paper's evaluation datasets as a harness sees it: the items, the prompt each item is asked with, and
 * whether a response (or a voted answer) is correct.
 *
 * <p>Implementations are immutable and thread-safe; scoring never throws on any response text. Get them from
 * {@link Benchmarks}.
 *
 * @param <T> the item type (a record of {@code io.github.qalign.eval.data} or {@code ...eval.ifeval})
 */
public interface Benchmark<T> {

    /**
     * The dataset's name on the command line: {@code gsm8k}, {@code math500}, {@code mmlu-redux}, {@code truthfulqa}
     * or {@code ifeval}.
     *
     * @return the name
     */
    String name();

    /**
     * The items, in a fixed order.
     *
     * @return the items
     */
    List<T> items();

    /**
     * A stable identifier of an item within this benchmark (for result files and resuming).
     *
     * @param item an item of {@link #items()}
     * @return the identifier, unique within the benchmark
     */
    String id(T item);

    /**
     * The conversation the model is asked (the paper's Appendix D prompt).
     *
     * @param item an item
     * @return the chat messages, ending with the user turn
     */
    List<ChatMessage> messages(T item);

    /**
     * The extractor that maps a response to the answer majority voting counts, or empty for open-ended benchmarks
     * (IFEval), which select by MBR instead.
     *
     * @param item an item (the number of options can depend on it)
     * @return the extractor, or empty
     */
    Optional<AnswerExtractor> answerExtractor(T item);

    /**
     * Whether an answer, as {@link #answerExtractor(Object)} produced it, is the gold answer.
     *
     * @param item   an item
     * @param answer an extracted answer
     * @return true if correct; always false for benchmarks without an extractor
     */
    boolean isCorrectAnswer(T item, String answer);

    /**
     * Whether a response is correct: its extracted answer is correct, or, for IFEval, all its instructions are
     * followed (prompt-level loose accuracy, the IFEval column of the paper's Table 1).
     *
     * @param item     an item
     * @param response the model's response
     * @return true if correct
     */
    default boolean isCorrect(T item, String response) {
        return answerExtractor(item).flatMap(e -> e.extract(response)).map(a -> isCorrectAnswer(item, a))
                .orElse(false);
    }
}
