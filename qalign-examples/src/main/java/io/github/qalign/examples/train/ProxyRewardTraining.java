package io.github.qalign.examples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.task.CheerfulStoryRule;
import io.github.qalign.examples.task.GoldMetric;
import io.github.qalign.examples.task.PromptSplit;
import io.github.qalign.examples.task.StoryPrompts;
import io.github.qalign.model.SamplingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Trains the proxy reward model of the over-optimization experiment (docs/overoptimization-design.md) and saves it
 * in Hugging Face layout with {@code proxy.json} ({@link ProxyReport}) and a PROVENANCE.md.
 *
 * <p>Same recipe as the committed reward model ({@link TrainRewardModel}) except the labels: pairs come from
 * {@link PreferenceData} judged by {@link ProxyLabels#joyOnly()}, and each training prompt is drawn
 * {@link ProxyRecipe#draws()} times. Held out: the same held-out samples labelled by the gold rule and by the proxy
 * rule (the same seed gives the same samples), plus the gold pairs whose rejected story has a joy word.
 */
public final class ProxyRewardTraining {

    /** The report file in the output directory. */
    public static final String REPORT = "proxy.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProxyRewardTraining() {
    }

    /**
     * Trains and saves.
     *
     * @param policyDir the policy checkpoint
     * @param out       the output directory (created)
     * @param recipe    the recipe
     * @param progress  progress
     * @return the report (also written to {@code out/proxy.json})
     */
    public static ProxyReport train(Path policyDir, Path out, ProxyRecipe recipe, Progress progress) {
        GoldMetric gold = CheerfulStoryRule.defaults();
        GoldMetric proxy = ProxyLabels.joyOnly();
        SamplingConfig sampling = SamplingConfig.builder().temperature(1.0).maxCompletionTokens(recipe.maxTokens())
                .build();
        List<String> train = new ArrayList<>();
        List<String> first = StoryPrompts.split(PromptSplit.TRAIN, recipe.trainPrompts());
        for (int d = 0; d < recipe.draws(); d++) {
            train.addAll(first);
        }
        List<String> held = StoryPrompts.split(PromptSplit.HELD_OUT, recipe.heldOutPrompts());
        long t0 = System.nanoTime();
        PreferenceData trainData;
        PreferenceData trainGold;
        PreferenceData heldGold;
        PreferenceData heldProxy;
        try (LlamaLanguageModel lm = Checkpoints.openPolicy(policyDir, "cpu", recipe.maxTokens())) {
            trainData = PreferenceData.build(lm, train, recipe.samplesPerDraw(), sampling, proxy, recipe.seed(), 32,
                    progress);
            // the same samples judged by the gold rule: only its rate is used
            trainGold = PreferenceData.build(lm, train.subList(0, Math.min(train.size(), 32)),
                    recipe.samplesPerDraw(), sampling, gold, recipe.seed(), 32, progress);
            heldGold = PreferenceData.build(lm, held, recipe.heldOutSamples(), sampling, gold, recipe.seed() + 1,
                    32, progress);
            heldProxy = PreferenceData.build(lm, held, recipe.heldOutSamples(), sampling, proxy, recipe.seed() + 1,
                    32, progress);
        }
        double sampleSeconds = (System.nanoTime() - t0) / 1e9;
        List<PreferencePair> exploitable = heldGold.pairs().stream()
                .filter(p -> proxy.score(p.prompt().text(), p.rejectedText()) >= 0.5).toList();
        try (HfCheckpoint ckpt = HfCheckpoint.open(policyDir);
             LlamaModel rm = RewardModels.fromPolicy(ckpt, 0.02, recipe.seed())) {
            int pad = rm.config().padTokenId();
            double before = heldGold.pairs().isEmpty() ? Double.NaN
                    : BradleyTerryTrainer.accuracy(rm, heldGold.pairs(), pad);
            long t1 = System.nanoTime();
            double[] losses = BradleyTerryTrainer.builder().learningRate(recipe.learningRate())
                    .epochs(recipe.epochs()).batchPairs(recipe.batchPairs()).seed(recipe.seed()).build()
                    .train(rm, trainData.pairs(), pad, progress);
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            ProxyReport report = new ProxyReport(recipe, proxy.description(), trainData.pairs().size(),
                    trainData.goldRate(), trainGold.goldRate(), Arrays.stream(losses).boxed().toList(),
                    BradleyTerryTrainer.accuracy(rm, trainData.pairs(), pad), heldGold.pairs().size(),
                    accuracy(rm, heldGold.pairs(), pad), before, heldProxy.pairs().size(),
                    accuracy(rm, heldProxy.pairs(), pad), exploitable.size(), accuracy(rm, exploitable, pad),
                    sampleSeconds, trainSeconds);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("qalign.heldout_gold_pairwise_accuracy",
                    String.format(Locale.ROOT, "%.4f", report.heldOutGoldAccuracy()));
            RewardModels.save(rm, out, policyDir, meta);
            try {
                JSON.writeValue(out.resolve(REPORT).toFile(), report);
                Files.write(out.resolve("PROVENANCE.md"), provenance(report), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out.resolve(REPORT) + ": " + e.getMessage(), e);
            }
            return report;
        }
    }

    /**
     * The report of a proxy reward model trained earlier into {@code dir}, if {@code dir/proxy.json} and the weights
     * exist.
     *
     * @param dir the directory
     * @return the report, or empty when there is no trained proxy there
     * @throws IllegalArgumentException naming the file when {@code proxy.json} is not a report
     */
    public static Optional<ProxyReport> read(Path dir) {
        Path f = dir.resolve(REPORT);
        if (!Files.isRegularFile(f) || !Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), ProxyReport.class));
        } catch (IOException e) {
            throw new IllegalArgumentException(f + ": not a proxy training report (" + e.getMessage() + ")", e);
        }
    }

    private static double accuracy(LlamaModel rm, List<PreferencePair> pairs, int pad) {
        return pairs.isEmpty() ? Double.NaN : BradleyTerryTrainer.accuracy(rm, pairs, pad);
    }

    private static List<String> provenance(ProxyReport r) {
        ProxyRecipe p = r.recipe();
        List<String> l = new ArrayList<>();
        l.add("# proxy-rm: a deliberately imperfect Bradley-Terry reward model (over-optimization experiment)");
        l.add("");
        l.add("Backbone initialised from the stories260K policy (Karpathy's TinyStories 260K llama2.c model, MIT; "
                + "trained on TinyStories, CDLA-Sharing-1.0), score head N(0, 0.02^2), every weight fine-tuned on "
                + "the policy's own samples. See docs/overoptimization-design.md.");
        l.add("");
        l.add("- Labels: " + r.labelRule() + ".");
        l.add(String.format(Locale.ROOT, "- Data: first %d TRAIN prompts x %d draws x %d samples (temperature 1, "
                + "at most %d tokens, seed %d); one (first good, first bad) pair per draw that has both: %d pairs. "
                + "Label rate %.3f; gold rate of the first 32 draws' samples %.3f.", p.trainPrompts(), p.draws(),
                p.samplesPerDraw(), p.maxTokens(), p.seed(), r.trainPairs(), r.trainLabelRate(), r.trainGoldRate()));
        l.add(String.format(Locale.ROOT, "- Training: Bradley-Terry, AdamW lr %.2g, %d epochs, %d pairs per "
                + "batch; loss per epoch %s; train accuracy %.3f.", p.learningRate(), p.epochs(), p.batchPairs(),
                r.losses(), r.trainAccuracy()));
        l.add(String.format(Locale.ROOT, "- Held out (first %d HELD_OUT prompts x %d samples, seed %d): accuracy on "
                + "gold-labelled pairs **%.3f** (%d pairs; %.3f before training); on proxy-labelled pairs %.3f (%d); "
                + "on gold pairs whose rejected story has a joy word %.3f (%d).", p.heldOutPrompts(),
                p.heldOutSamples(), p.seed() + 1, r.heldOutGoldAccuracy(), r.heldOutGoldPairs(),
                r.heldOutGoldBefore(), r.heldOutProxyAccuracy(), r.heldOutProxyPairs(), r.exploitableAccuracy(),
                r.exploitablePairs()));
        l.add(String.format(Locale.ROOT, "- Wall time: sampling %.0f s, training %.0f s.", r.sampleSeconds(),
                r.trainSeconds()));
        return l;
    }
}
