package io.github.qalign.examples.experiment;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the over-optimization experiment keeps of one unit (one eval prompt under one seed): per method, the
 * chosen answer's gold score, proxy label, proxy reward and cumulative compute at every budget 1, 2, 4, ..., N.
 *
 * @param promptIndex   index of the prompt in the eval list
 * @param seed          the seed
 * @param curves        per method key ({@link OveroptMethod#key()}), its curve; kept sorted by key
 * @param baseGold      mean gold over the unit's independent samples (NaN if they did not run)
 * @param chainGold     mean gold over the QAlign chain's states (NaN if it did not run)
 * @param chainAccepted accepted QAlign steps
 * @param chainSteps    QAlign steps
 */
public record UnitResult(int promptIndex, long seed, Map<String, Curve> curves, double baseGold, double chainGold,
                         int chainAccepted, int chainSteps) {

    public UnitResult {
        // sorted: the JSON lines of a unit are byte-identical from run to run (Map.copyOf's order is per-JVM)
        curves = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(curves, "curves")));
    }

    /**
     * One method's values at budgets 1, 2, 4, ..., N (all lists the same length).
     *
     * @param gold     gold score of the chosen answer
     * @param joy      proxy labelling rule of the chosen answer (1: has a joy word)
     * @param reward   proxy reward of the chosen answer
     * @param flops    FLOPs spent up to that budget (policy + reward model)
     * @param lmTokens policy tokens computed up to that budget
     */
    public record Curve(List<Double> gold, List<Double> joy, List<Double> reward, List<Double> flops,
                        List<Double> lmTokens) {
        public Curve {
            gold = List.copyOf(gold);
            joy = List.copyOf(joy);
            reward = List.copyOf(reward);
            flops = List.copyOf(flops);
            lmTokens = List.copyOf(lmTokens);
            int n = gold.size();
            if (joy.size() != n || reward.size() != n || flops.size() != n || lmTokens.size() != n) {
                throw new IllegalArgumentException("curve lists differ in length");
            }
        }
    }
}
