package io.github.qalign.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.answer.Gsm8kAnswerExtractor;
import io.github.qalign.eval.ifeval.IfEvalItem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The five evaluation datasets of the paper's Table 1, shipped in this module's jar (see
 * {@code io/github/qalign/eval/data/PROVENANCE.md} next to the files for sources, licences and how they were
 * prepared). Each call reads and parses the bundled file; callers that need a dataset repeatedly should keep the list.
 */
public final class Datasets {

    /**
     * The 30 MMLU-Redux subjects of the original release (Hugging Face {@code edinburgh-dawg/mmlu-redux}), which the
     * paper's code evaluates; the bundled annotations cover 57 subjects.
     */
    public static final List<String> MMLU_REDUX_PAPER_SUBJECTS = List.of(
            "anatomy", "business_ethics", "clinical_knowledge", "college_chemistry", "college_computer_science",
            "college_mathematics", "college_medicine", "college_physics", "econometrics", "electrical_engineering",
            "formal_logic", "global_facts", "high_school_chemistry", "high_school_mathematics", "high_school_physics",
            "high_school_statistics", "human_aging", "logical_fallacies", "machine_learning", "miscellaneous",
            "philosophy", "professional_accounting", "public_relations", "virology", "conceptual_physics",
            "high_school_us_history", "astronomy", "high_school_geography", "high_school_macroeconomics",
            "professional_law");

    private Datasets() {
    }

    /**
     * GSM8K test: 1319 problems (OpenAI grade-school-math, MIT).
     *
     * @return the problems in file order
     */
    public static List<Gsm8kItem> gsm8kTest() {
        return JsonLines.read("gsm8k-test.jsonl.gz", (i, n) -> {
            String solution = JsonLines.text(n, "answer");
            int marker = solution.lastIndexOf("####");
            if (marker < 0) {
                throw new IllegalArgumentException("field 'answer' has no '####' final-answer line");
            }
            String answer = Gsm8kAnswerExtractor.canonicalNumber(solution.substring(marker + 4))
                    .orElseThrow(() -> new IllegalArgumentException("no number after '####' in field 'answer'"));
            return new Gsm8kItem(i, JsonLines.text(n, "question"), solution, answer);
        });
    }

    /**
     * MATH500: the 500 MATH test problems of OpenAI's PRM800K split (MIT).
     *
     * @return the problems in file order
     */
    public static List<MathItem> math500() {
        return JsonLines.read("math500-test.jsonl.gz", (i, n) -> new MathItem(JsonLines.text(n, "unique_id"),
                JsonLines.text(n, "problem"), JsonLines.text(n, "solution"), JsonLines.text(n, "answer"),
                JsonLines.text(n, "subject"), JsonLines.integer(n, "level")));
    }

    /**
     * MMLU-Redux: all 5700 annotated questions of 57 subjects (CC BY 4.0), erroneous ones included; see
     * {@link MmluReduxItem#goldAnswer()} for the scoring convention and {@link #mmluReduxScored(List)} for the
     * questions it keeps.
     *
     * @return the questions, by subject then file order
     */
    public static List<MmluReduxItem> mmluRedux() {
        Map<String, Integer> rowInSubject = new java.util.HashMap<>();
        return JsonLines.read("mmlu-redux.jsonl.gz", (i, n) -> {
            JsonNode corrected = n.get("correct_answer");
            String subject = JsonLines.text(n, "subject");
            int row = rowInSubject.merge(subject, 1, Integer::sum) - 1;
            return new MmluReduxItem(subject, row, JsonLines.text(n, "question"),
                    JsonLines.texts(n, "choices"), JsonLines.integer(n, "answer"), JsonLines.text(n, "error_type"),
                    corrected == null || corrected.isNull() ? null : JsonLines.integer(n, "correct_answer"));
        });
    }

    /**
     * The MMLU-Redux questions that have a gold answer ({@link MmluReduxItem#goldAnswer()}), restricted to some
     * subjects.
     *
     * @param subjects the subjects to keep, e.g. {@link #MMLU_REDUX_PAPER_SUBJECTS}
     * @return the scored questions
     * @throws IllegalArgumentException if a subject is not in the bundled data
     */
    public static List<MmluReduxItem> mmluReduxScored(List<String> subjects) {
        List<MmluReduxItem> all = mmluRedux();
        for (String s : subjects) {
            if (all.stream().noneMatch(q -> q.subject().equals(s))) {
                throw new IllegalArgumentException("unknown MMLU-Redux subject '" + s + "'");
            }
        }
        return all.stream().filter(q -> subjects.contains(q.subject()) && q.goldAnswer().isPresent()).toList();
    }

    /**
     * TruthfulQA multiple choice: 817 questions (the v1 release, Apache-2.0) with their MC1 and MC2 options.
     *
     * @return the questions in file order
     */
    public static List<TruthfulQaItem> truthfulQa() {
        return JsonLines.read("truthfulqa-mc-v1.jsonl.gz", (i, n) -> {
            List<String> mc1 = new ArrayList<>();
            int answer = -1;
            for (JsonNode t : n.get("mc1_targets")) {
                if (t.get("label").asInt() == 1) {
                    answer = mc1.size();
                }
                mc1.add(t.get("text").asText());
            }
            List<String> mc2 = new ArrayList<>();
            List<Boolean> labels = new ArrayList<>();
            for (JsonNode t : n.get("mc2_targets")) {
                mc2.add(t.get("text").asText());
                labels.add(t.get("label").asInt() == 1);
            }
            return new TruthfulQaItem(i, JsonLines.text(n, "question"), mc1, answer, mc2, labels);
        });
    }

    /**
     * IFEval: the 541 prompts with their verifiable instructions (Google, Apache-2.0).
     *
     * @return the items in file order
     */
    public static List<IfEvalItem> ifeval() {
        return JsonLines.read("ifeval-input.jsonl.gz", (i, n) -> ifevalItem(n));
    }

    /**
     * One IFEval item from a parsed {@code input_data.jsonl} line ({@code key}, {@code prompt},
     * {@code instruction_id_list}, {@code kwargs}).
     *
     * @param n the parsed line
     * @return the item
     * @throws IllegalArgumentException naming the field at fault
     */
    public static IfEvalItem ifevalItem(JsonNode n) {
        List<Map<String, Object>> kwargs = new ArrayList<>();
        JsonNode k = n.get("kwargs");
        if (k == null || !k.isArray()) {
            throw new IllegalArgumentException("field 'kwargs' must be an array of objects");
        }
        for (JsonNode m : k) {
            Map<String, Object> map = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = m.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                map.put(e.getKey(), plain(e.getValue()));
            }
            kwargs.add(map);
        }
        return new IfEvalItem(JsonLines.integer(n, "key"), JsonLines.text(n, "prompt"),
                JsonLines.texts(n, "instruction_id_list"), kwargs);
    }

    private static Object plain(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(e -> l.add(plain(e)));
            return l;
        }
        return v.toString();
    }
}
