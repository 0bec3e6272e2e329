package io.github.qalign.eval;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.answer.MultipleChoiceAnswerExtractor;
import io.github.qalign.eval.data.Datasets;
import io.github.qalign.eval.data.Gsm8kItem;
import io.github.qalign.eval.data.MathItem;
import io.github.qalign.eval.data.MmluReduxItem;
import io.github.qalign.eval.data.TruthfulQaItem;
import io.github.qalign.eval.ifeval.IfEvalEvaluator;
import io.github.qalign.eval.ifeval.IfEvalItem;
import io.github.qalign.eval.math.MathEquivalence;
import io.github.qalign.eval.prompt.PaperPrompts;
import io.github.qalign.model.ChatMessage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The five benchmarks of the paper's Table 1, with the paper's prompts and the project's answer extractors:
 * <ul>
 *   <li>{@code gsm8k}: 1319 test problems; the final number ({@link AnswerExtractor#gsm8k()}) must equal the gold
 *       number;</li>
 *   <li>{@code math500}: 500 problems; the last boxed answer ({@link AnswerExtractor#math()}) must be
 *       {@linkplain MathEquivalence equivalent} to the gold answer;</li>
 *   <li>{@code mmlu-redux}: the 2803 questions of the paper's 30 subjects that have a gold answer under the
 *       annotation ({@link MmluReduxItem#goldAnswer()}); the option letter A-D must be the gold one;</li>
 *   <li>{@code truthfulqa}: 817 questions with their MC1 options, the letter must be the true option's;</li>
 *   <li>{@code ifeval}: 541 prompts; correct when every instruction is followed in IFEval's loose mode.</li>
 * </ul>
 */
public final class Benchmarks {

    /** The names {@link #byName(String)} accepts, in the paper's Table 1 order. */
    public static final List<String> NAMES = List.of("math500", "gsm8k", "truthfulqa", "mmlu-redux", "ifeval");

    private Benchmarks() {
    }

    /**
     * A benchmark by its command-line name.
     *
     * @param name one of {@link #NAMES}
     * @return the benchmark
     * @throws IllegalArgumentException naming the accepted names, for any other name
     */
    public static Benchmark<?> byName(String name) {
        return switch (Objects.requireNonNull(name, "name")) {
            case "gsm8k" -> gsm8k();
            case "math500" -> math500();
            case "mmlu-redux" -> mmluRedux();
            case "truthfulqa" -> truthfulQa();
            case "ifeval" -> ifeval();
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; expected one of " + NAMES);
        };
    }

    /**
     * GSM8K test.
     *
     * @return the benchmark
     */
    public static Benchmark<Gsm8kItem> gsm8k() {
        return new Gsm8k(Datasets.gsm8kTest());
    }

    /**
     * MATH500.
     *
     * @return the benchmark
     */
    public static Benchmark<MathItem> math500() {
        return new Math500(Datasets.math500());
    }

    /**
     * MMLU-Redux, the paper's 30 subjects, erroneous questions handled as {@link MmluReduxItem#goldAnswer()} says.
     *
     * @return the benchmark
     */
    public static Benchmark<MmluReduxItem> mmluRedux() {
        return new MmluRedux(Datasets.mmluReduxScored(Datasets.MMLU_REDUX_PAPER_SUBJECTS));
    }

    /**
     * TruthfulQA, MC1 options in the released order.
     *
     * @return the benchmark
     */
    public static Benchmark<TruthfulQaItem> truthfulQa() {
        return new TruthfulQa(Datasets.truthfulQa());
    }

    /**
     * IFEval, scored prompt-level loose.
     *
     * @return the benchmark
     */
    public static Benchmark<IfEvalItem> ifeval() {
        return new IfEval(Datasets.ifeval());
    }

    private record Gsm8k(List<Gsm8kItem> items) implements Benchmark<Gsm8kItem> {
        private static final AnswerExtractor EXTRACTOR = AnswerExtractor.gsm8k();

        @Override
        public String name() {
            return "gsm8k";
        }

        @Override
        public String id(Gsm8kItem item) {
            return "gsm8k/test/" + item.index();
        }

        @Override
        public List<ChatMessage> messages(Gsm8kItem item) {
            return PaperPrompts.gsm8k(item);
        }

        @Override
        public Optional<AnswerExtractor> answerExtractor(Gsm8kItem item) {
            return Optional.of(EXTRACTOR);
        }

        @Override
        public boolean isCorrectAnswer(Gsm8kItem item, String answer) {
            return item.answer().equals(answer);
        }
    }

    private record Math500(List<MathItem> items) implements Benchmark<MathItem> {
        private static final AnswerExtractor EXTRACTOR = AnswerExtractor.math();

        @Override
        public String name() {
            return "math500";
        }

        @Override
        public String id(MathItem item) {
            return item.uniqueId();
        }

        @Override
        public List<ChatMessage> messages(MathItem item) {
            return PaperPrompts.math(item);
        }

        @Override
        public Optional<AnswerExtractor> answerExtractor(MathItem item) {
            return Optional.of(EXTRACTOR);
        }

        @Override
        public boolean isCorrectAnswer(MathItem item, String answer) {
            return MathEquivalence.equivalent(answer, item.answer());
        }
    }

    private record MmluRedux(List<MmluReduxItem> items) implements Benchmark<MmluReduxItem> {
        private static final AnswerExtractor EXTRACTOR = new MultipleChoiceAnswerExtractor('D');

        @Override
        public String name() {
            return "mmlu-redux";
        }

        @Override
        public String id(MmluReduxItem item) {
            return "mmlu-redux/" + item.subject() + "/" + item.index();
        }

        @Override
        public List<ChatMessage> messages(MmluReduxItem item) {
            return PaperPrompts.mmluRedux(item);
        }

        @Override
        public Optional<AnswerExtractor> answerExtractor(MmluReduxItem item) {
            return Optional.of(EXTRACTOR);
        }

        @Override
        public boolean isCorrectAnswer(MmluReduxItem item, String answer) {
            return item.goldLetter().map(answer::equals).orElse(false);
        }
    }

    private record TruthfulQa(List<TruthfulQaItem> items) implements Benchmark<TruthfulQaItem> {
        @Override
        public String name() {
            return "truthfulqa";
        }

        @Override
        public String id(TruthfulQaItem item) {
            return "truthfulqa/" + item.index();
        }

        @Override
        public List<ChatMessage> messages(TruthfulQaItem item) {
            return PaperPrompts.truthfulQa(item);
        }

        @Override
        public Optional<AnswerExtractor> answerExtractor(TruthfulQaItem item) {
            return Optional.of(new MultipleChoiceAnswerExtractor((char) ('A' + item.mc1Choices().size() - 1)));
        }

        @Override
        public boolean isCorrectAnswer(TruthfulQaItem item, String answer) {
            return item.mc1Letter().equals(answer);
        }
    }

    private record IfEval(List<IfEvalItem> items) implements Benchmark<IfEvalItem> {
        @Override
        public String name() {
            return "ifeval";
        }

        @Override
        public String id(IfEvalItem item) {
            return "ifeval/" + item.key();
        }

        @Override
        public List<ChatMessage> messages(IfEvalItem item) {
            return PaperPrompts.ifeval(item);
        }

        @Override
        public Optional<AnswerExtractor> answerExtractor(IfEvalItem item) {
            return Optional.empty();
        }

        @Override
        public boolean isCorrectAnswer(IfEvalItem item, String answer) {
            return false;
        }

        @Override
        public boolean isCorrect(IfEvalItem item, String response) {
            return IfEvalEvaluator.evaluate(item, response).allLoose();
        }
    }
}
