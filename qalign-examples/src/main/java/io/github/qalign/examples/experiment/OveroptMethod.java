package io.github.qalign.examples.experiment;

import java.util.Locale;

/** The methods of the over-optimization experiment (docs/overoptimization-design.md), in plot and table order. */
public enum OveroptMethod {
    /** QAlign chain, answer = ROUGE-1 MBR over the chain states. */
    QALIGN_MBR("QAlign-MBR", Source.CHAIN),
    /** The same QAlign chain, answer = the most frequent state text (states repeat after rejections). */
    QALIGN_MV("QAlign-MV", Source.CHAIN),
    /** Best-of-n over independent samples. */
    BON("BoN", Source.INDEPENDENT),
    /** Weighted majority vote over independent samples, weights softmax(r/beta). */
    WMV("WMV", Source.INDEPENDENT),
    /** Majority vote of exact texts over independent samples. */
    MV("MV", Source.INDEPENDENT),
    /** ROUGE-1 MBR over independent samples, uniform weights. */
    MBR("MBR", Source.INDEPENDENT),
    /** Best-of-n over suffix resamples of the current best sample ({@link SuffixSearch}). */
    SR_BON("SR-BoN", Source.SEARCH);

    /** Which run a method reads its samples from. */
    public enum Source {
        /** The QAlign chain. */
        CHAIN,
        /** The independent samples. */
        INDEPENDENT,
        /** The suffix-resample search. */
        SEARCH
    }

    private final String label;
    private final Source source;

    OveroptMethod(String label, Source source) {
        this.label = label;
        this.source = source;
    }

    /** The label of tables and plots. */
    public String label() {
        return label;
    }

    /** The run the method reads. */
    public Source source() {
        return source;
    }

    /** The name used in files and on the command line, e.g. {@code qalign_mbr}, {@code sr_bon}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
