package io.github.qalign.examples.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a finished sweep in words, computed from its numbers: for each method whether the gold metric rose, fell or
 * did not move from the smallest to the largest budget, measured against the noise of the prompt sample; which
 * methods coincide; the comparison of QAlign with each baseline at matched compute; and how much noise the number
 * of prompts leaves.
 *
 * <p>Noise model: a point's standard error is {@link #stdErr(SweepPoint)}. Two points are
 * compared with the unpaired standard error {@code sqrt(se1^2 + se2^2)} — conservative, as the methods run on the
 * same prompts — and a difference counts as clear when it is at least {@link #CLEAR} such standard errors (about a
 * 95% two-sided test). With n prompts the standard error of a rate near 50% is {@code 50/sqrt(n)} points.
 */
public final class SweepReading {

    /** A difference is "clear" from this many standard errors of the difference on. */
    public static final double CLEAR = 2.0;

    private SweepReading() {
    }

    /**
     * The method earlier in {@link Method} order whose points equal {@code m}'s (gold and proxy reward) at every
     * budget, if any: its line lies exactly under {@code m}'s.
     *
     * @param result the sweep
     * @param m      the method
     * @return the method {@code m} coincides with
     */
    public static Optional<Method> sameAs(SweepResult result, Method m) {
        List<SweepPoint> mine = result.points(m);
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        for (Method o : Method.values()) {
            if (o.ordinal() >= m.ordinal()) {
                break;
            }
            List<SweepPoint> other = result.points(o);
            if (other.size() != mine.size()) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < mine.size() && same; i++) {
                SweepPoint a = mine.get(i);
                SweepPoint b = other.get(i);
                same = a.budget() == b.budget() && a.gold() == b.gold() && a.proxyReward() == b.proxyReward();
            }
            if (same) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /**
     * The reading, as lines of text ending in a newline.
     *
     * @param result    the sweep
     * @param nextSteps whether to close with the next commands ({@code qalign sweep}, docs/results.md)
     * @return the reading
     */
    public static String read(SweepResult result, boolean nextSteps) {
        List<String> lines = new ArrayList<>();
        int n = result.points().isEmpty() ? 0 : result.points().get(0).prompts();
        double perPrompt = 100.0 / Math.max(n, 1);
        double seHalf = 50 / Math.sqrt(Math.max(n, 1));
        double detectable = CLEAR * Math.sqrt(2) * seHalf;
        lines.add(f("How to read this: %d prompts, so one prompt moves a rate by %.1f points, the standard error of "
                + "a rate near 50%% is %.1f points, and two methods must differ by about %.0f points before the "
                + "difference stands out from noise (%.0f standard errors).", n, perPrompt, seHalf, detectable,
                CLEAR));

        List<String> rose = new ArrayList<>();
        for (Method m : Method.values()) {
            List<SweepPoint> pts = result.points(m);
            if (pts.isEmpty()) {
                continue;
            }
            Optional<Method> same = sameAs(result, m);
            if (same.isPresent()) {
                String why = m == Method.WMV && same.get() == Method.BON ? " (when no two answers are equal, the "
                        + "weighted vote picks the highest reward, as best-of-n does)" : "";
                lines.add(f("- %s: identical to %s at every budget: the same choices%s; its line is drawn beside "
                        + "%s's.", m.label(), same.get().label(), why, same.get().label()));
                continue;
            }
            SweepPoint a = pts.get(0);
            SweepPoint b = pts.get(pts.size() - 1);
            double d = 100 * (b.gold() - a.gold());
            double se = 100 * Math.hypot(stdErr(a), stdErr(b));
            String verdict = verdict(d, se);
            if (d > 0 && clear(d, se)) {
                rose.add(m.label());
            }
            String proxy = f("proxy reward %+.2f -> %+.2f", a.proxyReward(), b.proxyReward());
            String note = "";
            boolean constant = pts.stream().allMatch(p -> p.proxyReward() == a.proxyReward()
                    && p.gold() == a.gold());
            if (constant && pts.size() > 1) {
                note = " Its choice never changed with the budget (same gold and proxy reward everywhere): a vote "
                        + "without any repeated answer has no majority and keeps the first sample.";
            } else if (b.proxyReward() > a.proxyReward() && d < 0 && clear(d, se)) {
                note = " The proxy reward rose while the gold metric fell: the reward model's errors are being "
                        + "exploited (over-optimization).";
            } else if (b.proxyReward() > a.proxyReward() && d <= 0) {
                note = " The proxy reward rose but the gold metric did not.";
            }
            lines.add(f("- %s: gold %.1f%% at budget %d -> %.1f%% at budget %d (%+.1f +- %.1f points): %s; %s.%s",
                    m.label(), 100 * a.gold(), a.budget(), 100 * b.gold(), b.budget(), d, se, verdict, proxy, note));
        }

        List<String> ahead = new ArrayList<>();
        List<String> behind = new ArrayList<>();
        List<String> tied = new ArrayList<>();
        List<SweepPoint> q = result.points(Method.QALIGN);
        if (!q.isEmpty()) {
            SweepPoint top = q.get(q.size() - 1);
            for (Method m : Method.values()) {
                if (m == Method.QALIGN || result.points(m).isEmpty() || sameAs(result, m).isPresent()) {
                    continue;
                }
                SweepPoint o = nearestCompute(result.points(m), top.flopsPerPrompt());
                double d = 100 * (top.gold() - o.gold());
                double se = 100 * Math.hypot(stdErr(top), stdErr(o));
                (clear(d, se) ? (d > 0 ? ahead : behind) : tied).add(m.label());
                lines.add(f("- Matched compute: QAlign at budget %d (%.3g FLOPs/prompt) %.1f%% vs %s at budget %d "
                                + "(%.3g FLOPs) %.1f%%: %+.1f +- %.1f points, %s.", top.budget(),
                        top.flopsPerPrompt(), 100 * top.gold(), m.label(), o.budget(), o.flopsPerPrompt(),
                        100 * o.gold(), d, se, clear(d, se) ? (d > 0 ? "QAlign clearly ahead" : m.label()
                                + " clearly ahead") : "within noise"));
            }
        }
        result.baseGoldRate().ifPresent(base -> result.chainGoldRate().ifPresent(chain -> lines.add(f(
                "- Over all samples, the base model meets the gold rule %.1f%% of the time and QAlign's chain states "
                        + "%.1f%%: %s", 100 * base, 100 * chain, chain > base
                        ? "QAlign's target shifts the samples toward the gold rule."
                        : "at this beta QAlign's target did not shift the samples toward the gold rule."))));

        StringBuilder summary = new StringBuilder("In short: ");
        summary.append(rose.isEmpty() ? "no method's gold metric rose clearly with the budget on these prompts."
                : "the gold metric rose clearly with the budget for " + String.join(", ", rose) + ".");
        if (!ahead.isEmpty()) {
            summary.append(" At matched compute QAlign was clearly ahead of ").append(String.join(", ", ahead))
                    .append('.');
        }
        if (!behind.isEmpty()) {
            summary.append(" At matched compute ").append(String.join(", ", behind))
                    .append(behind.size() == 1 ? " was" : " were").append(" clearly ahead of QAlign.");
        }
        if (!tied.isEmpty()) {
            summary.append(" Against ").append(String.join(", ", tied)).append(f(" the difference is within noise: "
                    + "%d prompts cannot rank them (differences under about %.0f points are noise here).", n,
                    detectable));
        }
        lines.add(summary.toString());
        if (nextSteps) {
            lines.add("Next: './qalign sweep' runs the experiment on more prompts and budgets (see './qalign sweep "
                    + "--help'), and docs/results.md reports the measured curves with their intervals and what they "
                    + "do and do not show.");
        }
        StringBuilder out = new StringBuilder();
        for (String l : lines) {
            out.append(wrap(l, WIDTH));
        }
        return out.toString();
    }

    /** Console width the reading is wrapped to. */
    static final int WIDTH = 110;

    /** Word-wraps one paragraph; continuation lines of a "- " item are indented by two spaces. */
    static String wrap(String paragraph, int width) {
        String indent = paragraph.startsWith("- ") ? "  " : "";
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        for (String word : paragraph.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.append(line).append('\n');
                line.setLength(0);
                line.append(indent);
            }
            if (line.length() > 0 && !line.toString().equals(indent)) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).append('\n').toString();
    }

    /**
     * A point's standard error: {@link SweepPoint#goldStdErr()} (over prompts), but never below the Agresti–Coull
     * standard error {@code sqrt(q(1-q)/(n+4))} with {@code q = (n·rate+2)/(n+4)}, so that a rate of 0% or 100% over
     * few prompts is not taken as certain.
     *
     * @param p the point
     * @return the standard error, as a fraction
     */
    public static double stdErr(SweepPoint p) {
        double n = p.prompts();
        double q = (n * p.gold() + 2) / (n + 4);
        return Math.max(p.goldStdErr(), Math.sqrt(q * (1 - q) / (n + 4)));
    }

    private static boolean clear(double d, double se) {
        return se == 0 ? d != 0 : Math.abs(d) >= CLEAR * se;
    }

    private static String verdict(double d, double se) {
        if (d == 0) {
            return "no change";
        }
        if (clear(d, se)) {
            return d > 0 ? "rose clearly" : "fell clearly";
        }
        return (d > 0 ? "rose" : "fell") + ", but within noise (less than " + f("%.0f", CLEAR)
                + " standard errors)";
    }

    private static SweepPoint nearestCompute(List<SweepPoint> pts, double flops) {
        SweepPoint best = pts.get(0);
        for (SweepPoint p : pts) {
            if (distance(p.flopsPerPrompt(), flops) < distance(best.flopsPerPrompt(), flops)) {
                best = p;
            }
        }
        return best;
    }

    private static double distance(double a, double b) {
        return Math.abs(Math.log(Math.max(a, 1)) - Math.log(Math.max(b, 1)));
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
