package io.github.qalign.spark;

import java.util.Locale;

/** The test-time methods a job can run; each yields one output row per budget. */
public enum Method {
    /** QAlign chains; the answer is chosen by majority vote over the chain states when an answer format is set,
     * by ROUGE-1 MBR over them otherwise. */
    QALIGN,
    /** Best-of-n over independent samples. */
    BON,
    /** Majority vote over the answers of independent samples. */
    MV,
    /** Majority vote weighted by softmax(r/beta). */
    WMV,
    /** ROUGE-1 minimum Bayes risk over independent samples. */
    MBR;

    /**
     * The lower-case name used on the command line and in output rows.
     *
     * @return the name, e.g. {@code qalign}
     */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a command-line name.
     *
     * @param s the name, case-insensitive
     * @return the method
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Method parse(String s) {
        for (Method m : values()) {
            if (m.cliName().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + s + "': expected qalign, bon, mv, wmv or mbr");
    }
}
