package io.github.qalign.examples.experiment;

import java.util.Locale;

/** A test-time method: how the samples of one prompt become one answer. */
public enum Method {
    /** QAlign: an MCMC chain targeting p_LM(y|x) exp(r/beta); the answer is the MBR (ROUGE-1) choice over its states. */
    QALIGN("QAlign"),
    /** Best-of-n: the independent sample with the highest reward. */
    BON("BoN"),
    /** Majority vote over the extracted answers of independent samples. */
    MV("MV"),
    /** Weighted majority vote: votes weighted by softmax(r/beta). */
    WMV("WMV"),
    /** Minimum Bayes risk over independent samples with ROUGE-1 utility, uniform weights. */
    MBR("MBR");

    private final String label;

    Method(String label) {
        this.label = label;
    }

    /** The label used in tables and plots. */
    public String label() {
        return label;
    }

    /** The command-line name, e.g. {@code qalign}, {@code bon}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the method works on independent samples of the base model (all but QAlign). */
    public boolean usesIndependentSamples() {
        return this != QALIGN;
    }
}
