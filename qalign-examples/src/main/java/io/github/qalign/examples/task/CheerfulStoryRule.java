package io.github.qalign.examples.task;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gold rule of the experiment: <em>the continuation is cheerful</em>. It scores 1 when the completion (the
 * generated story text after the prompt) contains at least one joy word and no distress word, else 0.
 *
 * <p>Words are maximal runs of ASCII letters and apostrophes, lower-cased, compared exactly (so "unhappy" is not
 * "happy", and "smiled" is listed separately from "smile"). With the default word lists the stories260K policy
 * satisfies the rule for roughly a fifth of its temperature-1 continuations of 128 tokens (measured: see
 * docs/results.md). A reward model can only approximate it: it must learn a disjunction over joy words, a negated
 * disjunction over distress words, from sub-word tokens of a 512-token vocabulary, from a few hundred preference
 * pairs.
 *
 * @param joyWords      at least one must occur
 * @param distressWords none may occur
 */
public record CheerfulStoryRule(Set<String> joyWords, Set<String> distressWords) implements GoldMetric {

    /** The default joy words. */
    public static final Set<String> JOY = Set.of("happy", "smiled", "smile", "smiling", "laughed", "laugh",
            "fun", "joy", "glad");
    /** The default distress words. */
    public static final Set<String> DISTRESS = Set.of("sad", "cried", "cry", "crying", "angry", "scared", "hurt",
            "mad", "upset", "afraid");

    private static final Pattern WORD = Pattern.compile("[a-z']+");

    public CheerfulStoryRule {
        joyWords = Set.copyOf(Objects.requireNonNull(joyWords, "joyWords"));
        distressWords = Set.copyOf(Objects.requireNonNull(distressWords, "distressWords"));
        if (joyWords.isEmpty()) {
            throw new IllegalArgumentException("joyWords must not be empty");
        }
        for (String w : joyWords) {
            if (distressWords.contains(w)) {
                throw new IllegalArgumentException("word '" + w + "' is both a joy and a distress word");
            }
        }
    }

    /** The rule with the default word lists {@link #JOY} and {@link #DISTRESS}. */
    public static CheerfulStoryRule defaults() {
        return new CheerfulStoryRule(JOY, DISTRESS);
    }

    @Override
    public double score(String prompt, String completion) {
        Objects.requireNonNull(completion, "completion");
        boolean joy = false;
        Matcher m = WORD.matcher(completion.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String w = m.group();
            if (distressWords.contains(w)) {
                return 0.0;
            }
            joy |= joyWords.contains(w);
        }
        return joy ? 1.0 : 0.0;
    }

    @Override
    public String description() {
        return "cheerful story: the continuation contains a joy word " + sorted(joyWords)
                + " and no distress word " + sorted(distressWords);
    }

    private static String sorted(Set<String> words) {
        return words.stream().sorted().toList().toString();
    }
}
