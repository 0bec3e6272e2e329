package io.github.qalign.select;

import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-of-n: the sample with the highest reward; among equal rewards, the earliest. Invariant to adding a constant
 * to every reward and to multiplying every reward by a positive constant (it only compares rewards).
 */
public final class BestOfN implements Selector<BestOfNSelection> {

    /** Creates the selector (stateless). */
    public BestOfN() {
    }

    @Override
    public BestOfNSelection select(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        int best = 0;
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).reward() > samples.get(best).reward()) {
                best = i;
            }
        }
        return new BestOfNSelection(best, samples.get(best));
    }

    /** One pass over the run, keeping the running argmax. */
    @Override
    public List<AtBudget<BestOfNSelection>> sweep(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        int[] budgets = Budgets.powersOfTwo(samples.size());
        List<AtBudget<BestOfNSelection>> out = new ArrayList<>(budgets.length);
        int best = 0;
        int next = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).reward() > samples.get(best).reward()) {
                best = i;
            }
            if (i + 1 == budgets[next]) {
                out.add(new AtBudget<>(i + 1, new BestOfNSelection(best, samples.get(best))));
                next++;
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "BestOfN";
    }
}
