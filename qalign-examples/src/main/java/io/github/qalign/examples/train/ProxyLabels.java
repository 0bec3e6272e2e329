package io.github.qalign.examples.train;

import io.github.qalign.examples.task.CheerfulStoryRule;
import io.github.qalign.examples.task.GoldMetric;
import java.util.Set;

/**
 * Labelling rules for the proxy reward model of the over-optimization experiment (docs/overoptimization-design.md):
 * rules that agree with the gold rule on part of the data and reward something it does not.
 */
public final class ProxyLabels {

    private ProxyLabels() {
    }

    /**
     * "The continuation has a joy word", whatever else it says: {@link CheerfulStoryRule}'s joy clause without its
     * distress clause. Every gold-good story is proxy-good; a story with a joy word AND a distress word is
     * proxy-good but gold-bad, which is what a reward model trained on these labels can be exploited on.
     *
     * @return the rule
     */
    public static GoldMetric joyOnly() {
        CheerfulStoryRule rule = new CheerfulStoryRule(CheerfulStoryRule.JOY, Set.of());
        return new GoldMetric() {
            @Override
            public double score(String prompt, String completion) {
                return rule.score(prompt, completion);
            }

            @Override
            public String description() {
                return "joy-only proxy labels: the continuation contains a joy word "
                        + CheerfulStoryRule.JOY.stream().sorted().toList() + " (distress words ignored)";
            }
        };
    }
}
