package io.github.qalign.djl.experiments;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Burn-in on the embedded stories260K policy with an indicator reward: how many QAlign steps until the fraction of
 * chains whose state has the property reaches its exact target value, from a cold start ({@code p_LM}) and from
 * importance-resampled warm starts. Not a test (minutes of CPU); results are recorded in docs/algorithm.md.
 *
 * <p>Reward {@code r(y) = 2 * 1[text contains WORD]}, beta 1 (odds e^2). The target frequency is exact given
 * {@code p = P_LM(A)}: {@code pi(A) = p e^2 / (p e^2 + 1 - p)}; p is estimated from independent samples (its standard
 * error propagated).
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -o -q -pl qalign-djl -am test-compile dependency:build-classpath -DskipTests \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Dai.djl.pytorch.num_threads=1 \
 *     -cp qalign-djl/target/test-classes:qalign-djl/target/classes:$(cat qalign-djl/target/cp.txt) \
 *     io.github.qalign.djl.experiments.WarmStartBurnIn " dog" 96 60 3000
 * </pre>
 */
public final class WarmStartBurnIn {

    private WarmStartBurnIn() {
    }

    /** The indicator reward on the decoded text. */
    record Indicator(String word, double value) implements RewardModel {
        @Override
        public List<Reward> score(List<RewardRequest> requests) {
            List<Reward> out = new ArrayList<>(requests.size());
            for (RewardRequest r : requests) {
                out.add(Reward.of(has(r.text()) ? value : 0.0));
            }
            return out;
        }

        boolean has(String text) {
            return text.contains(word);
        }
    }

    /** Mean over chains and steps t0..t1 of the indicator, and its z-score against pi. */
    static double[] windowZ(double[][] x, int t0, int t1, double pi, double sePi) {
        int chains = x.length;
        double[] per = new double[chains];
        double mean = 0;
        for (int c = 0; c < chains; c++) {
            for (int t = t0; t <= t1; t++) {
                per[c] += x[c][t] / (t1 - t0 + 1);
            }
            mean += per[c] / chains;
        }
        double var = 0;
        for (double v : per) {
            var += (v - mean) * (v - mean) / (chains - 1);
        }
        double se = Math.sqrt(var / chains + sePi * sePi);
        return new double[] {mean, (mean - pi) / Math.max(se, 1e-12)};
    }

    /**
     * Entry point.
     *
     * @param args [word] [chains] [steps] [pilot samples]
     */
    public static void main(String[] args) {
        String word = args.length > 0 ? args[0] : " dog";
        int chains = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 80;
        int pilot = args.length > 3 ? Integer.parseInt(args[3]) : 4000;
        double beta = 1.0;
        Indicator rm = new Indicator(word, 2.0);
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(48);
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                LlamaOptions.builder().maxBatchSize(64).build())) {
            Prompt prompt = lm.prompt("Once upon a time");
            long t0 = System.nanoTime();
            IndependentResult base = IndependentSampler.builder().languageModel(lm).rewardModel(rm)
                    .samplesPerPrompt(pilot).sampling(cfg).maxBatchSize(64).build().run(prompt, 1L);
            int hits = 0;
            long tokens = 0;
            for (ScoredSample s : base.prompt(0).samples()) {
                hits += s.reward() > 0 ? 1 : 0;
                tokens += s.completion().length();
            }
            double p = (double) hits / pilot;
            double seP = Math.sqrt(p * (1 - p) / pilot);
            double e2 = Math.exp(2.0 / beta);
            double z = p * e2 + 1 - p;
            double pi = p * e2 / z;
            double sePi = seP * e2 / (z * z);
            System.out.printf(Locale.ROOT, "word '%s': P_LM(A) = %.4f +- %.4f (%d samples, mean |y| %.1f, %.0f s);"
                    + " exact pi(A) = %.4f +- %.4f%n", word, p, seP, pilot, (double) tokens / pilot,
                    (System.nanoTime() - t0) / 1e9, pi, sePi);

            for (int n : new int[] {1, 4, 16}) {
                t0 = System.nanoTime();
                QAlignResult r = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(beta).steps(steps)
                        .chainsPerPrompt(chains).sampling(cfg).initialCandidates(n).build().run(prompt, 2L);
                double[][] x = new double[chains][steps + 1]; // x[c][t] = 1 if chain c's state at t has A
                long initTokens = 0;
                int ci = 0;
                for (ChainResult c : r.prompt(0).chains()) {
                    List<ScoredSample> st = c.states();
                    for (int t = 0; t <= steps; t++) {
                        x[ci][t] = st.get(t).reward() > 0 ? 1 : 0;
                    }
                    initTokens += c.initialUsage().lm().generatedTokens();
                    ci++;
                }
                long stepTokens = r.usage().lm().generatedTokens() - initTokens;
                // windows of steps: mean frequency, z against pi(A) with the across-chain standard error (chains are
                // independent; steps within a chain are not) plus the error of pi(A) itself
                StringBuilder sb = new StringBuilder();
                int[][] windows = {{0, 0}, {1, 5}, {6, 10}, {11, 20}, {21, 30}, {31, 40}, {41, 60}, {61, 80},
                    {81, 120}};
                for (int[] w : windows) {
                    if (w[1] > steps) {
                        break;
                    }
                    double[] wz = windowZ(x, w[0], w[1], pi, sePi);
                    sb.append(String.format(Locale.ROOT, " [%d-%d] %.3f (z %+.1f)", w[0], w[1], wz[0], wz[1]));
                }
                // reached: first t such that the 10-step window [t, t+9] and every later one have |z| <= 2
                int reached = -1;
                for (int t = 0; t + 10 <= steps + 1 && reached < 0; t++) {
                    boolean ok = true;
                    for (int s2 = t; s2 + 10 <= steps + 1 && ok; s2 += 5) {
                        ok = Math.abs(windowZ(x, s2, s2 + 9, pi, sePi)[1]) <= 2;
                    }
                    if (ok) {
                        reached = t;
                    }
                }
                System.out.printf(Locale.ROOT, "n=%2d: reached at step %d; initial tokens/chain %.1f, step tokens/chain"
                        + "/step %.1f; accepted %.3f moved %.3f; %.0f s%n %s%n", n, reached,
                        (double) initTokens / chains, (double) stepTokens / chains / steps, r.acceptanceRate(),
                        r.moveRate(), (System.nanoTime() - t0) / 1e9, sb);
            }
        }
    }
}
