package io.github.qalign.tokenizer;

import java.time.Duration;
import java.util.Objects;

/**
 * Resource limits for rendering an untrusted chat template. Immutable; change a copy with the {@code withX} methods:
 * {@code TemplateLimits.defaults().withTimeout(Duration.ofSeconds(5))}.
 *
 * <p>The defaults are far above what any published chat template needs for a conversation of a few hundred turns
 * (the largest public templates are about 20 KB and render a few thousand template nodes), and far below what could
 * exhaust a JVM heap or hang a caller.
 *
 * @param maxTemplateChars  largest template source accepted (characters); checked before parsing
 * @param maxNestingDepth   deepest nesting of block tags ({@code for}, {@code if}, {@code macro}, ...) and of
 *                          brackets inside one tag; checked before parsing, so a deeply nested template fails with a
 *                          clear message instead of a stack overflow
 * @param maxOutputChars    largest rendered output (characters)
 * @param maxStringLength   longest string a template may build (concatenation, filters such as {@code center})
 * @param maxListSize       largest list or map a template may build
 * @param maxLoopIterations largest {@code range(...)} a template may iterate
 * @param maxRenderedNodes  most template nodes rendered in one call (each loop iteration renders its body's nodes
 *                          again): a deterministic bound on the work of nested loops
 * @param timeout           wall-clock budget of one render
 */
public record TemplateLimits(long maxTemplateChars, int maxNestingDepth, long maxOutputChars, long maxStringLength,
                             int maxListSize, int maxLoopIterations, long maxRenderedNodes, Duration timeout) {

    private static final TemplateLimits DEFAULTS = new TemplateLimits(1_000_000, 64, 8_000_000, 8_000_000, 100_000,
            100_000, 2_000_000, Duration.ofSeconds(10));

    /**
     * Validates the limits.
     *
     * @param maxTemplateChars  see the record description
     * @param maxNestingDepth   see the record description
     * @param maxOutputChars    see the record description
     * @param maxStringLength   see the record description
     * @param maxListSize       see the record description
     * @param maxLoopIterations see the record description
     * @param maxRenderedNodes  see the record description
     * @param timeout           see the record description
     * @throws IllegalArgumentException if a limit is not positive
     * @throws NullPointerException     if timeout is null
     */
    public TemplateLimits {
        Objects.requireNonNull(timeout, "timeout");
        positive(maxTemplateChars, "maxTemplateChars");
        positive(maxNestingDepth, "maxNestingDepth");
        positive(maxOutputChars, "maxOutputChars");
        positive(maxStringLength, "maxStringLength");
        positive(maxListSize, "maxListSize");
        positive(maxLoopIterations, "maxLoopIterations");
        positive(maxRenderedNodes, "maxRenderedNodes");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (maxStringLength > Integer.MAX_VALUE - 8 || maxOutputChars > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxStringLength and maxOutputChars must fit a Java string, got "
                    + maxStringLength + " and " + maxOutputChars);
        }
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /**
     * The default limits: template 1,000,000 chars, nesting 64, output and strings 8,000,000 chars, lists 100,000,
     * range 100,000, 2,000,000 rendered nodes, 10 s per render.
     *
     * @return the defaults
     */
    public static TemplateLimits defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with another template size limit.
     *
     * @param chars the largest template source accepted
     * @return the copy
     */
    public TemplateLimits withMaxTemplateChars(long chars) {
        return new TemplateLimits(chars, maxNestingDepth, maxOutputChars, maxStringLength, maxListSize,
                maxLoopIterations, maxRenderedNodes, timeout);
    }

    /**
     * A copy with another nesting limit.
     *
     * @param depth the deepest nesting accepted
     * @return the copy
     */
    public TemplateLimits withMaxNestingDepth(int depth) {
        return new TemplateLimits(maxTemplateChars, depth, maxOutputChars, maxStringLength, maxListSize,
                maxLoopIterations, maxRenderedNodes, timeout);
    }

    /**
     * A copy with another output size limit.
     *
     * @param chars the largest output
     * @return the copy
     */
    public TemplateLimits withMaxOutputChars(long chars) {
        return new TemplateLimits(maxTemplateChars, maxNestingDepth, chars, maxStringLength, maxListSize,
                maxLoopIterations, maxRenderedNodes, timeout);
    }

    /**
     * A copy with another string length limit.
     *
     * @param chars the longest string a template may build
     * @return the copy
     */
    public TemplateLimits withMaxStringLength(long chars) {
        return new TemplateLimits(maxTemplateChars, maxNestingDepth, maxOutputChars, chars, maxListSize,
                maxLoopIterations, maxRenderedNodes, timeout);
    }

    /**
     * A copy with another list/map size limit.
     *
     * @param size the largest list or map
     * @return the copy
     */
    public TemplateLimits withMaxListSize(int size) {
        return new TemplateLimits(maxTemplateChars, maxNestingDepth, maxOutputChars, maxStringLength, size,
                maxLoopIterations, maxRenderedNodes, timeout);
    }

    /**
     * A copy with another {@code range} limit.
     *
     * @param iterations the largest range
     * @return the copy
     */
    public TemplateLimits withMaxLoopIterations(int iterations) {
        return new TemplateLimits(maxTemplateChars, maxNestingDepth, maxOutputChars, maxStringLength, maxListSize,
                iterations, maxRenderedNodes, timeout);
    }

    /**
     * A copy with another rendered-node limit.
     *
     * @param nodes the most nodes rendered in one call
     * @return the copy
     */
    public TemplateLimits withMaxRenderedNodes(long nodes) {
        return new TemplateLimits(maxTemplateChars, maxNestingDepth, maxOutputChars, maxStringLength, maxListSize,
                maxLoopIterations, nodes, timeout);
    }

    /**
     * A copy with another time budget.
     *
     * @param budget the wall-clock budget of one render
     * @return the copy
     */
    public TemplateLimits withTimeout(Duration budget) {
        return new TemplateLimits(maxTemplateChars, maxNestingDepth, maxOutputChars, maxStringLength, maxListSize,
                maxLoopIterations, maxRenderedNodes, budget);
    }
}
