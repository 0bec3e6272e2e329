package io.github.qalign.examples.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.examples.experiment.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a {@link LlamaModel} with a {@code score} head as a Bradley-Terry reward model on preference pairs: loss
 * {@code -log sigmoid(r(chosen) - r(rejected))} (computed stably as softplus), mini-batches of pairs in a seeded
 * shuffled order, gradients from DJL's {@link GradientCollector} through
 * {@link LlamaModel#forwardHidden(NDArray, int[])}, and a hand-written AdamW with global-norm gradient clipping.
 *
 * <p>Every parameter of the model is trained (backbone and score head). Deterministic for a given seed on CPU.
 */
public final class BradleyTerryTrainer {

    private final double learningRate;
    private final int epochs;
    private final int batchPairs;
    private final double weightDecay;
    private final double clipNorm;
    private final long seed;

    private BradleyTerryTrainer(Builder b) {
        this.learningRate = b.learningRate;
        this.epochs = b.epochs;
        this.batchPairs = b.batchPairs;
        this.weightDecay = b.weightDecay;
        this.clipNorm = b.clipNorm;
        this.seed = b.seed;
    }

    /** A builder: learning rate 3e-4, 4 epochs, 16 pairs per batch, weight decay 0, clip norm 1, seed 1. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The mean training loss of each epoch.
     *
     * @param model    the reward model (trained in place)
     * @param pairs    training pairs, non-empty
     * @param padId    id used to right-pad sequences (any id in the vocabulary; padding is masked)
     * @param progress progress (units: batches)
     * @return one mean loss per epoch
     */
    public double[] train(LlamaModel model, List<PreferencePair> pairs, int padId, Progress progress) {
        Objects.requireNonNull(model, "model");
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no training pairs");
        }
        Map<String, NDArray> params = model.parameters();
        Map<String, NDArray[]> adam = new LinkedHashMap<>();
        NDManager state = model.manager().newSubManager();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            adam.put(e.getKey(), new NDArray[] {state.zeros(p.getShape(), p.getDataType()),
                state.zeros(p.getShape(), p.getDataType())});
            p.setRequiresGradient(true);
        }
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        SplittableRandom rng = new SplittableRandom(seed);
        int batches = (pairs.size() + batchPairs - 1) / batchPairs;
        double[] epochLoss = new double[epochs];
        long t = 0;
        progress.start("training", (long) epochs * batches);
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                int[] order = permutation(pairs.size(), rng);
                double lossSum = 0;
                for (int bi = 0; bi < batches; bi++) {
                    List<PreferencePair> batch = new ArrayList<>();
                    for (int i = bi * batchPairs; i < Math.min(pairs.size(), (bi + 1) * batchPairs); i++) {
                        batch.add(pairs.get(order[i]));
                    }
                    try (NDManager sub = model.manager().newSubManager()) {
                        float loss;
                        try (GradientCollector gc = DjlRuntime.engine().newGradientCollector()) {
                            NDArray r = rewards(model, sub, batch, padId);
                            int n = batch.size();
                            NDArray z = r.get(new NDIndex("{}:", n)).sub(r.get(new NDIndex(":{}", n)));
                            NDArray l = z.maximum(0).add(z.abs().neg().exp().add(1).log()).mean();
                            gc.backward(l);
                            loss = l.getFloat();
                        }
                        if (!Float.isFinite(loss)) {
                            throw new IllegalStateException("training loss became " + loss + " at epoch " + epoch
                                    + ", batch " + bi);
                        }
                        lossSum += loss * batch.size();
                        t++;
                        Map<String, NDArray> grads = new LinkedHashMap<>();
                        double gradNorm = 0;
                        for (Map.Entry<String, NDArray> e : params.entrySet()) {
                            NDArray g = e.getValue().getGradient();
                            g.attach(sub);
                            grads.put(e.getKey(), g);
                            NDArray sq = g.square();
                            sq.attach(sub);
                            gradNorm += sq.sum().getFloat();
                        }
                        gradNorm = Math.sqrt(gradNorm);
                        double clip = gradNorm > clipNorm ? clipNorm / gradNorm : 1.0;
                        double lrT = learningRate * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                        for (Map.Entry<String, NDArray> e : params.entrySet()) {
                            NDArray p = e.getValue();
                            NDArray g = grads.get(e.getKey());
                            NDArray[] mv = adam.get(e.getKey());
                            try (NDManager tmp = sub.newSubManager()) {
                                NDArray gc = g.mul(clip);
                                gc.attach(tmp);
                                mv[0].muli(b1).addi(gc.mul(1 - b1));
                                mv[1].muli(b2).addi(gc.square().mul(1 - b2));
                                NDArray denom = mv[1].sqrt();
                                denom.attach(tmp);
                                NDArray step = mv[0].div(denom.add(eps));
                                step.attach(tmp);
                                if (weightDecay > 0) {
                                    p.muli(1 - learningRate * weightDecay);
                                }
                                p.subi(step.mul(lrT));
                                g.muli(0);
                            }
                        }
                    }
                    progress.step(1);
                }
                epochLoss[epoch] = lossSum / pairs.size();
            }
        } finally {
            progress.finish();
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
            state.close();
        }
        return epochLoss;
    }

    /**
     * Rewards of the chosen then the rejected completions of a batch: {@code [2n]} in {@code manager}.
     */
    static NDArray rewards(LlamaModel model, NDManager manager, List<PreferencePair> batch, int padId) {
        List<int[]> seqs = new ArrayList<>();
        for (PreferencePair p : batch) {
            seqs.add(p.chosenInput());
        }
        for (PreferencePair p : batch) {
            seqs.add(p.rejectedInput());
        }
        return score(model, manager, seqs, padId);
    }

    /** Scores of right-padded sequences, {@code [B]} in {@code manager}. */
    static NDArray score(LlamaModel model, NDManager manager, List<int[]> seqs, int padId) {
        int maxLen = seqs.stream().mapToInt(s -> s.length).max().orElseThrow();
        long[] ids = new long[seqs.size() * maxLen];
        java.util.Arrays.fill(ids, padId);
        int[] lengths = new int[seqs.size()];
        for (int i = 0; i < seqs.size(); i++) {
            int[] s = seqs.get(i);
            lengths[i] = s.length;
            for (int j = 0; j < s.length; j++) {
                ids[i * maxLen + j] = s[j];
            }
        }
        NDArray x = manager.create(ids, new Shape(seqs.size(), maxLen));
        NDArray hidden = model.forwardHidden(x, lengths);
        return model.scores(model.lastHidden(hidden, lengths)).reshape(seqs.size());
    }

    /**
     * Pairwise accuracy: the fraction of pairs whose chosen completion scores strictly higher.
     *
     * @param model the reward model
     * @param pairs the pairs, non-empty
     * @param padId padding id
     * @return accuracy in [0, 1]
     */
    public static double accuracy(LlamaModel model, List<PreferencePair> pairs, int padId) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pairs to evaluate");
        }
        int correct = 0;
        for (int from = 0; from < pairs.size(); from += 32) {
            List<PreferencePair> batch = pairs.subList(from, Math.min(pairs.size(), from + 32));
            try (NDManager sub = model.manager().newSubManager()) {
                float[] r = rewards(model, sub, batch, padId).toFloatArray();
                int n = batch.size();
                for (int i = 0; i < n; i++) {
                    if (r[i] > r[n + i]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / pairs.size();
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /** Builder of {@link BradleyTerryTrainer}. */
    public static final class Builder {
        private double learningRate = 3e-4;
        private int epochs = 4;
        private int batchPairs = 16;
        private double weightDecay = 0;
        private double clipNorm = 1.0;
        private long seed = 1;

        private Builder() {
        }

        /** Adam learning rate, &gt; 0. */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** Passes over the training pairs, &gt;= 1. */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** Pairs per mini-batch, &gt;= 1. */
        public Builder batchPairs(int n) {
            this.batchPairs = n;
            return this;
        }

        /** Decoupled weight decay, &gt;= 0. */
        public Builder weightDecay(double wd) {
            this.weightDecay = wd;
            return this;
        }

        /** Global gradient-norm clip, &gt; 0. */
        public Builder clipNorm(double c) {
            this.clipNorm = c;
            return this;
        }

        /** Seed of the batch order. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The trainer; throws {@link IllegalArgumentException} naming a bad parameter. */
        public BradleyTerryTrainer build() {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            if (batchPairs < 1) {
                throw new IllegalArgumentException("batchPairs must be >= 1, got " + batchPairs);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
            }
            if (!(clipNorm > 0)) {
                throw new IllegalArgumentException("clipNorm must be > 0, got " + clipNorm);
            }
            return new BradleyTerryTrainer(this);
        }
    }
}
