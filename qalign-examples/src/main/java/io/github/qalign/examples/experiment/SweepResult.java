package io.github.qalign.examples.experiment;

import java.util.List;
import java.util.OptionalDouble;

/**
 * A finished sweep.
 *
 * @param config         what ran
 * @param points         every (method, budget) point, methods in {@link Method} order, budgets increasing
 * @param baseGoldRate   mean gold score over ALL independent samples (the base model's rate), if they ran
 * @param chainGoldRate  mean gold score over all QAlign chain states (an estimate of the target's rate), if it ran
 * @param acceptanceRate QAlign's measured acceptance rate, if it ran
 * @param seconds        wall time of the sweep
 */
public record SweepResult(SweepConfig config, List<SweepPoint> points, OptionalDouble baseGoldRate,
                          OptionalDouble chainGoldRate, OptionalDouble acceptanceRate, double seconds) {
    public SweepResult {
        points = List.copyOf(points);
    }

    /** The points of one method, budgets increasing. */
    public List<SweepPoint> points(Method method) {
        return points.stream().filter(p -> p.method() == method).toList();
    }
}
