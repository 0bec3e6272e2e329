package io.github.qalign.examples.cli;

import io.github.qalign.examples.experiment.Method;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Upper bounds of the numeric options, checked before anything is allocated from them: a count on the command line
 * never sizes memory unchecked, and an out-of-range value is one usage error naming the flag.
 */
final class Limits {

    /**
     * Largest samples-per-prompt budget: 65,536. The samples of a prompt are held in memory (and the core samplers
     * pre-size lists from the budget).
     */
    static final int MAX_BUDGET = 1 << 16;

    /**
     * Largest budget of the methods that answer by MBR (qalign, mbr): 4,096, since MBR keeps a pairwise ROUGE
     * matrix over the budget's samples (4,096 samples: 8.4 M entries, 67 MB).
     */
    static final int MAX_MBR_BUDGET = 1 << 12;

    /** Largest completion length: 65,536 tokens (the model's context is checked too, when it loads). */
    static final int MAX_TOKENS = 1 << 16;

    /**
     * Most completion tokens held in memory at once: 2^26 (67 M token ids, a few hundred MB with their texts). A run
     * holds every sample (or chain state) of the prompts it runs together, each up to --max-tokens long.
     */
    static final long MAX_HELD_TOKENS = 1L << 26;

    private Limits() {
    }

    /**
     * Checks that {@code prompts × budget × maxTokens} completion tokens, the most a run holds at once, stay within
     * {@link #MAX_HELD_TOKENS}.
     *
     * @param what names the prompts factor, e.g. "--chunk-prompts 8"
     * @param hint what to lower, for the message
     */
    static void checkHeld(CommandLine cl, String what, long prompts, int budget, int maxTokens, String hint) {
        long held = prompts * budget * maxTokens;
        if (held > MAX_HELD_TOKENS) {
            throw new ParameterException(cl, what + " x --budget " + budget + " x --max-tokens " + maxTokens
                    + " = " + held + " completion tokens held at once, more than " + MAX_HELD_TOKENS + "; lower "
                    + hint);
        }
    }

    /** Checks a budget for the given methods: {@code 1 <= n <= } the methods' bound. */
    static void checkBudget(CommandLine cl, String flag, int n, Set<Method> methods) {
        boolean mbr = methods.contains(Method.QALIGN) || methods.contains(Method.MBR);
        int max = mbr ? MAX_MBR_BUDGET : MAX_BUDGET;
        if (n < 1 || n > max) {
            throw new ParameterException(cl, flag + " must be in [1, " + max + "], got " + n
                    + (n > max && mbr ? " (qalign and mbr choose by MBR, whose memory is quadratic in the budget)"
                    : ""));
        }
    }

    /** Checks {@code min <= n <= max}. */
    static void checkRange(CommandLine cl, String flag, long n, long min, long max) {
        if (n < min || n > max) {
            throw new ParameterException(cl, flag + " must be in [" + min + ", " + max + "], got " + n);
        }
    }

    /** Checks that {@code x} is a finite number {@code > 0} and at most {@code max}. */
    static void checkPositiveFinite(CommandLine cl, String flag, double x, double max) {
        if (!(x > 0) || !(x <= max)) {
            throw new ParameterException(cl, flag + " must be a finite number in (0, " + max + "], got " + x);
        }
    }
}
