package io.github.qalign.examples.train;

import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.models.Checkpoints;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains the proxy reward model of the over-optimization experiment on its own ({@code qalign overopt} does it too,
 * into {@code OUT/proxy-rm}). Defaults: the pre-registered {@link ProxyRecipe}.
 */
@Command(name = "train-proxy-reward-model", mixinStandardHelpOptions = true,
        description = "Train the joy-only proxy reward model of docs/overoptimization-design.md.")
public final class TrainProxyRewardModel implements Callable<Integer> {

    @Option(names = "--policy", paramLabel = "DIR", description = "Policy checkpoint (default: embedded stories260K).")
    Path policy;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--train-prompts", defaultValue = "256", description = "TRAIN prompts (default ${DEFAULT-VALUE}).")
    int trainPrompts;

    @Option(names = "--draws", defaultValue = "4", description = "Draws per prompt (default ${DEFAULT-VALUE}).")
    int draws;

    @Option(names = "--samples", defaultValue = "12", description = "Samples per draw (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--held-out-prompts", defaultValue = "128",
            description = "HELD_OUT prompts (default ${DEFAULT-VALUE}).")
    int heldOutPrompts;

    @Option(names = "--held-out-samples", defaultValue = "12",
            description = "Samples per held-out prompt (default ${DEFAULT-VALUE}).")
    int heldOutSamples;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        ProxyRecipe recipe = ProxyRecipe.builder().trainPrompts(trainPrompts).draws(draws).samplesPerDraw(samples)
                .heldOutPrompts(heldOutPrompts).heldOutSamples(heldOutSamples).epochs(epochs).seed(seed).build();
        ProxyReport r = ProxyRewardTraining.train(policy == null ? Checkpoints.embeddedPolicy() : policy, out, recipe,
                Progress.NONE);
        System.err.println(String.format(Locale.ROOT, "%d pairs; held-out accuracy: gold pairs %.3f (%d), proxy "
                + "pairs %.3f (%d), exploitable pairs %.3f (%d); train %.3f; losses %s; %.0f s + %.0f s",
                r.trainPairs(), r.heldOutGoldAccuracy(), r.heldOutGoldPairs(), r.heldOutProxyAccuracy(),
                r.heldOutProxyPairs(), r.exploitableAccuracy(), r.exploitablePairs(), r.trainAccuracy(), r.losses(),
                r.sampleSeconds(), r.trainSeconds()));
        return 0;
    }

    /** Entry point. */
    public static void main(String[] args) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        System.exit(new CommandLine(new TrainProxyRewardModel()).execute(args));
    }
}
