package io.github.qalign.examples.train;

import java.util.List;

/**
 * What training the proxy reward model produced (written to {@code proxy.json} next to the weights).
 *
 * @param recipe              the recipe
 * @param labelRule           the labelling rule's description
 * @param trainPairs          training pairs
 * @param trainLabelRate      fraction of training samples the labelling rule calls good
 * @param trainGoldRate       fraction of training samples the gold rule calls good
 * @param losses              mean training loss per epoch
 * @param trainAccuracy       pairwise accuracy on the training pairs
 * @param heldOutGoldPairs    held-out gold-labelled pairs
 * @param heldOutGoldAccuracy pairwise accuracy on them (the headline: how good a proxy of gold)
 * @param heldOutGoldBefore   the same before training
 * @param heldOutProxyPairs   held-out proxy-labelled pairs
 * @param heldOutProxyAccuracy pairwise accuracy on them (did it learn its labels)
 * @param exploitablePairs    held-out gold pairs whose rejected story has a joy word (rejected for distress only)
 * @param exploitableAccuracy pairwise accuracy on those (NaN when there are none)
 * @param sampleSeconds       wall time of sampling
 * @param trainSeconds        wall time of training
 */
public record ProxyReport(ProxyRecipe recipe, String labelRule, int trainPairs, double trainLabelRate,
                          double trainGoldRate, List<Double> losses, double trainAccuracy, int heldOutGoldPairs,
                          double heldOutGoldAccuracy, double heldOutGoldBefore, int heldOutProxyPairs,
                          double heldOutProxyAccuracy, int exploitablePairs, double exploitableAccuracy,
                          double sampleSeconds, double trainSeconds) {
    public ProxyReport {
        losses = List.copyOf(losses);
    }
}
