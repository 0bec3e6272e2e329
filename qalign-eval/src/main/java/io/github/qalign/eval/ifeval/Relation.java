package io.github.qalign.eval.ifeval;

/**
 * IFEval's two comparisons: "less than" (actual &lt; threshold) and "at least" (actual &ge; threshold).
 */
enum Relation {
    LESS_THAN("less than"),
    AT_LEAST("at least");

    private final String text;

    Relation(String text) {
        this.text = text;
    }

    static Relation parse(String field, Object value) {
        for (Relation r : values()) {
            if (r.text.equals(value)) {
                return r;
            }
        }
        throw new IllegalArgumentException("instruction argument '" + field
                + "' must be \"less than\" or \"at least\", got "
                + (value instanceof String ? "\"" + value + "\"" : String.valueOf(value)));
    }

    boolean holds(long actual, long threshold) {
        return this == LESS_THAN ? actual < threshold : actual >= threshold;
    }

    @Override
    public String toString() {
        return text;
    }
}
