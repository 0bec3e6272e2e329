package io.github.qalign.examples.task;

/**
 * The ground-truth quality of a completion, as the experiment measures it (the reward model is only a learned proxy
 * of this). Deterministic.
 */
public interface GoldMetric {

    /**
     * Judges one completion.
     *
     * @param prompt     the prompt text
     * @param completion the decoded completion text (without the prompt)
     * @return the gold score in [0, 1]
     */
    double score(String prompt, String completion);

    /** A one-line human description of the rule, for reports. */
    String description();
}
