package io.github.qalign.examples.train;

/**
 * How the proxy reward model of the over-optimization experiment is trained (docs/overoptimization-design.md). Build
 * with {@link #builder()}; the defaults are the pre-registered recipe.
 *
 * @param trainPrompts     the first this-many TRAIN prompts of {@code StoryPrompts} make the pairs
 * @param draws            independent draws per training prompt, each giving at most one pair
 * @param samplesPerDraw   policy samples per draw (k of {@link PreferenceData})
 * @param heldOutPrompts   the first this-many HELD_OUT prompts measure the accuracies
 * @param heldOutSamples   samples per held-out prompt
 * @param epochs           Bradley-Terry epochs
 * @param learningRate     AdamW learning rate
 * @param batchPairs       pairs per batch
 * @param maxTokens        completion cap of the samples
 * @param seed             seed of the samples (held-out: seed + 1), the score head and the batch order
 */
public record ProxyRecipe(int trainPrompts, int draws, int samplesPerDraw, int heldOutPrompts, int heldOutSamples,
                          int epochs, double learningRate, int batchPairs, int maxTokens, long seed) {

    public ProxyRecipe {
        positive("trainPrompts", trainPrompts);
        positive("draws", draws);
        positive("heldOutPrompts", heldOutPrompts);
        positive("epochs", epochs);
        positive("batchPairs", batchPairs);
        positive("maxTokens", maxTokens);
        if (samplesPerDraw < 2) {
            throw new IllegalArgumentException("samplesPerDraw must be >= 2, got " + samplesPerDraw);
        }
        if (heldOutSamples < 2) {
            throw new IllegalArgumentException("heldOutSamples must be >= 2, got " + heldOutSamples);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    /** A builder holding the pre-registered recipe: 256 x 4 draws x 12 samples, 128 x 12 held out, 3 epochs. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link ProxyRecipe}. */
    public static final class Builder {
        private int trainPrompts = 256;
        private int draws = 4;
        private int samplesPerDraw = 12;
        private int heldOutPrompts = 128;
        private int heldOutSamples = 12;
        private int epochs = 3;
        private double learningRate = 3e-4;
        private int batchPairs = 16;
        private int maxTokens = 128;
        private long seed = 1;

        private Builder() {
        }

        /** TRAIN prompts used. */
        public Builder trainPrompts(int n) {
            this.trainPrompts = n;
            return this;
        }

        /** Draws per training prompt. */
        public Builder draws(int n) {
            this.draws = n;
            return this;
        }

        /** Samples per draw. */
        public Builder samplesPerDraw(int n) {
            this.samplesPerDraw = n;
            return this;
        }

        /** HELD_OUT prompts used. */
        public Builder heldOutPrompts(int n) {
            this.heldOutPrompts = n;
            return this;
        }

        /** Samples per held-out prompt. */
        public Builder heldOutSamples(int n) {
            this.heldOutSamples = n;
            return this;
        }

        /** Epochs. */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** Learning rate. */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** Pairs per batch. */
        public Builder batchPairs(int n) {
            this.batchPairs = n;
            return this;
        }

        /** Completion cap. */
        public Builder maxTokens(int n) {
            this.maxTokens = n;
            return this;
        }

        /** Seed. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The recipe; throws {@link IllegalArgumentException} naming a bad parameter. */
        public ProxyRecipe build() {
            return new ProxyRecipe(trainPrompts, draws, samplesPerDraw, heldOutPrompts, heldOutSamples, epochs,
                    learningRate, batchPairs, maxTokens, seed);
        }
    }
}
