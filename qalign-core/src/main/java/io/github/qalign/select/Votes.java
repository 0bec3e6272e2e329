package io.github.qalign.select;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ScoredSample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** The tally shared by majority vote and weighted majority vote. */
final class Votes {

    private Votes() {
    }

    static String[] extract(AnswerExtractor extractor, List<ScoredSample> samples) {
        String[] answers = new String[samples.size()];
        for (int i = 0; i < answers.length; i++) {
            Optional<String> a = extractor.extract(samples.get(i).text());
            Objects.requireNonNull(a, "extractor returned null instead of Optional.empty()");
            answers[i] = a.orElse(null);
        }
        return answers;
    }

    /**
     * Sums {@code weights[i]} per answer over the first n samples (in sample order), picks the largest sum; ties go to
     * the answer whose first occurrence is earliest.
     */
    static VoteSelection tally(String[] answers, double[] weights, int n) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, Integer> first = new LinkedHashMap<>();
        int abstentions = 0;
        for (int i = 0; i < n; i++) {
            String a = answers[i];
            if (a == null) {
                abstentions++;
                continue;
            }
            scores.merge(a, weights == null ? 1.0 : weights[i], Double::sum);
            first.putIfAbsent(a, i);
        }
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            if (e.getValue() > bestScore) {
                best = e.getKey();
                bestScore = e.getValue();
            }
        }
        return best == null
                ? new VoteSelection(Optional.empty(), OptionalInt.empty(), scores, abstentions)
                : new VoteSelection(Optional.of(best), OptionalInt.of(first.get(best)), scores, abstentions);
    }
}
