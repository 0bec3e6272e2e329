package io.github.qalign.examples.train;

import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.task.CheerfulStoryRule;
import io.github.qalign.examples.task.PromptSplit;
import io.github.qalign.examples.task.StoryPrompts;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.SamplingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains the experiment's reward model and writes it, with its PROVENANCE.md, in Hugging Face layout.
 *
 * <p>Steps: (1) sample {@code k} completions of the stories260K policy for every TRAIN and HELD_OUT prompt of
 * {@link StoryPrompts}; (2) judge them with {@link CheerfulStoryRule}; one (good, bad) pair per prompt that has
 * both; (3) initialise a {@code LlamaForSequenceClassification} from the policy's backbone with a fresh score
 * head; (4) train it with {@link BradleyTerryTrainer} on the TRAIN pairs; (5) report pairwise accuracy on the
 * HELD_OUT pairs; (6) save.
 */
@Command(name = "train-reward-model", mixinStandardHelpOptions = true,
        description = "Train the Bradley-Terry reward model of the experiment on on-policy preference pairs.")
public final class TrainRewardModel implements Callable<Integer> {

    @Option(names = "--policy", paramLabel = "DIR", description = "Policy checkpoint (default: embedded stories260K).")
    Path policy;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--samples-per-prompt", defaultValue = "16", description = "k (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--train-prompts", defaultValue = "512", description = "TRAIN prompts used "
            + "(default: ${DEFAULT-VALUE}).")
    int trainPrompts;

    @Option(names = "--max-tokens", defaultValue = "128", description = "Completion cap (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--epochs", defaultValue = "4", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "3e-4", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch-pairs", defaultValue = "16", description = "Pairs per batch (default: ${DEFAULT-VALUE}).")
    int batchPairs;

    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Path policyDir = policy == null ? Checkpoints.embeddedPolicy() : policy;
        SamplingConfig sampling = SamplingConfig.builder().temperature(1.0).maxCompletionTokens(maxTokens).build();
        CheerfulStoryRule gold = CheerfulStoryRule.defaults();
        List<String> train = StoryPrompts.split(PromptSplit.TRAIN, trainPrompts);
        List<String> held = StoryPrompts.split(PromptSplit.HELD_OUT);
        Progress progress = Progress.NONE;
        PreferenceData trainData;
        PreferenceData heldData;
        LanguageModel lm = Checkpoints.openPolicy(policyDir, "cpu", maxTokens);
        try {
            trainData = PreferenceData.build(lm, train, k, sampling, gold, seed, 32, progress);
            heldData = PreferenceData.build(lm, held, k, sampling, gold, seed + 1, 32, progress);
        } finally {
            if (lm instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        double sampleSeconds = (System.nanoTime() - t0) / 1e9;
        log("samples: train %d prompts -> %d pairs (gold rate %.3f); held-out %d prompts -> %d pairs (gold rate "
                + "%.3f); %.0f s", trainData.prompts(), trainData.pairs().size(), trainData.goldRate(),
                heldData.prompts(), heldData.pairs().size(), heldData.goldRate(), sampleSeconds);
        try (HfCheckpoint ckpt = HfCheckpoint.open(policyDir);
             LlamaModel rm = RewardModels.fromPolicy(ckpt, 0.02, seed)) {
            int pad = rm.config().padTokenId();
            double heldBefore = BradleyTerryTrainer.accuracy(rm, heldData.pairs(), pad);
            long t1 = System.nanoTime();
            double[] losses = BradleyTerryTrainer.builder().learningRate(lr).epochs(epochs).batchPairs(batchPairs)
                    .weightDecay(weightDecay).seed(seed).build().train(rm, trainData.pairs(), pad, progress);
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            double trainAcc = BradleyTerryTrainer.accuracy(rm, trainData.pairs(), pad);
            double heldAcc = BradleyTerryTrainer.accuracy(rm, heldData.pairs(), pad);
            log("loss per epoch %s; accuracy train %.3f, held-out %.3f (before training %.3f); %.0f s",
                    Arrays.toString(losses), trainAcc, heldAcc, heldBefore, trainSeconds);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("qalign.heldout_pairwise_accuracy", String.format(Locale.ROOT, "%.4f", heldAcc));
            RewardModels.save(rm, out, policyDir, meta);
            writeProvenance(trainData, heldData, losses, trainAcc, heldAcc, heldBefore, sampleSeconds,
                    trainSeconds);
        }
        return 0;
    }

    private void writeProvenance(PreferenceData train, PreferenceData held, double[] losses, double trainAcc,
                                 double heldAcc, double heldBefore, double sampleSeconds, double trainSeconds)
            throws IOException {
        List<String> l = new ArrayList<>();
        l.add("# stories260k-rm: a Bradley-Terry reward model for the cheerful-story task");
        l.add("");
        l.add("`LlamaForSequenceClassification` (1 label, score read at the last token), backbone initialised from "
                + "the stories260K policy (Karpathy's TinyStories 260K llama2.c model, MIT; trained on TinyStories, "
                + "CDLA-Sharing-1.0), score head N(0, 0.02^2), every weight fine-tuned. F32 safetensors, no lm_head.");
        l.add("");
        l.add("## How it was made (reproducible)");
        l.add("");
        l.add("```");
        l.add(command());
        l.add("```");
        l.add("");
        l.add(String.format(Locale.ROOT, "- Gold rule (labels): %s.", CheerfulStoryRule.defaults().description()));
        l.add(String.format(Locale.ROOT, "- Data (App. F style): %d on-policy samples per prompt (temperature 1, "
                + "at most %d tokens) for %d TRAIN prompts of `StoryPrompts` (seed %d); one (first gold-good, first "
                + "gold-bad) pair per prompt that has both: %d train pairs. Sample gold rate %.3f.", k, maxTokens,
                train.prompts(), seed, train.pairs().size(), train.goldRate()));
        l.add(String.format(Locale.ROOT, "- Held-out: the %d HELD_OUT prompts, same construction (seed %d): %d "
                + "pairs, sample gold rate %.3f.", held.prompts(), seed + 1, held.pairs().size(), held.goldRate()));
        l.add(String.format(Locale.ROOT, "- Training: loss -log sigmoid(r_good - r_bad), AdamW (hand-written, "
                + "lr %.2g, betas 0.9/0.999, weight decay %.2g, global grad-norm clip 1), %d epochs, %d pairs per "
                + "batch, seeded shuffle (seed %d), DJL GradientCollector on CPU.", lr, weightDecay, epochs,
                batchPairs, seed));
        l.add("- Mean training loss per epoch: " + Arrays.stream(losses)
                .mapToObj(v -> String.format(Locale.ROOT, "%.4f", v)).toList());
        l.add(String.format(Locale.ROOT, "- Pairwise accuracy: train %.3f; **held-out %.3f** (%d pairs; %.3f "
                + "before training).", trainAcc, heldAcc, held.pairs().size(), heldBefore));
        l.add(String.format(Locale.ROOT, "- Wall time on the build machine (2 shared CPU cores): sampling %.0f s, "
                + "training %.0f s.", sampleSeconds, trainSeconds));
        Files.write(out.resolve("PROVENANCE.md"), l, StandardCharsets.UTF_8);
    }

    private String command() {
        return String.format(Locale.ROOT, "java -cp <qalign-examples classpath> %s --out %s --samples-per-prompt "
                + "%d --train-prompts %d --max-tokens %d --epochs %d --lr %s --batch-pairs %d --weight-decay %s "
                + "--seed %d%s", TrainRewardModel.class.getName(), "<dir>", k, trainPrompts, maxTokens, epochs, lr,
                batchPairs, weightDecay, seed, policy == null ? "" : " --policy " + policy);
    }

    private static void log(String fmt, Object... args) {
        System.err.println(String.format(Locale.ROOT, fmt, args));
    }

    /** Entry point. */
    public static void main(String[] args) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        System.exit(new CommandLine(new TrainRewardModel()).execute(args));
    }
}
