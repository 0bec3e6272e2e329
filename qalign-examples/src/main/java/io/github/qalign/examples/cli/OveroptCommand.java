package io.github.qalign.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.examples.experiment.OveroptAnalysis;
import io.github.qalign.examples.experiment.OveroptConfig;
import io.github.qalign.examples.experiment.OveroptPlot;
import io.github.qalign.examples.experiment.OveroptRunner;
import io.github.qalign.examples.experiment.UnitResult;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.task.CheerfulStoryRule;
import io.github.qalign.examples.task.PromptSplit;
import io.github.qalign.examples.task.StoryPrompts;
import io.github.qalign.examples.train.ProxyLabels;
import io.github.qalign.examples.train.ProxyRecipe;
import io.github.qalign.examples.train.ProxyReport;
import io.github.qalign.examples.train.ProxyRewardTraining;
import io.github.qalign.model.SamplingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code qalign overopt}: the pre-registered reward over-optimization experiment of
 * docs/overoptimization-design.md, end to end and resumable.
 */
@Command(name = "overopt", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The pre-registered over-optimization experiment (docs/overoptimization-design.md), resumable.",
        description = {"Trains the joy-only proxy reward model into OUT/proxy-rm (unless --reward names one, or "
                + "OUT/proxy-rm already holds one with the same recipe), tunes beta to 50%% acceptance on HELD_OUT "
                + "prompts, then runs QAlign (MBR and MV), BoN, WMV, MV, MBR and SR-BoN (best-of-n over suffix "
                + "resamples of the current best) at budgets 1, 2, 4, ..., N on every (prompt, seed) unit, appending "
                + "each finished block of units to OUT/units.jsonl. Rerun the same command to resume. Finally writes "
                + "OUT/overopt.csv, OUT/comparisons.csv and OUT/overopt.png (gold and proxy reward vs FLOPs with "
                + "95%% paired bootstrap bands) and prints the analysis.",
            "",
            "The defaults ARE the pre-registered design (320 prompts x 4 seeds, budgets to 256: ~4.6 h on one core). "
                + "Smaller values give a pilot, which is not the pre-registered run. To use several cores, run "
                + "consecutive seed ranges as separate processes (--seed, --seeds; pass the first one's tuned --beta "
                + "to the others) and merge them with scripts/merge-overopt.sh."})
final class OveroptCommand extends CommandSupport implements Callable<Integer> {

    /** Seed of the paired bootstrap (fixed by the design). */
    static final long BOOTSTRAP_SEED = 20261130L;
    /** Eval prompts available: EVAL plus the TRAIN openings the proxy never sees. */
    static final int EVAL_PROMPTS = StoryPrompts.EVAL_SIZE + StoryPrompts.TRAIN_SIZE / 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    BetaOptions betaOptions;

    @Mixin
    SamplingOptions samplingOptions;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "qalign-overopt",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--prompt-count", paramLabel = "K", defaultValue = "320",
            description = "First K of the 320 eval prompts (EVAL, then TRAIN openings 256..511) (default: "
                    + "${DEFAULT-VALUE}).")
    int promptCount;

    @Option(names = "--seeds", paramLabel = "S", defaultValue = "4",
            description = "Seeds --seed, --seed + 1, ..., one unit per (prompt, seed) (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "256",
            description = "Largest budget (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--block", paramLabel = "B", defaultValue = "16",
            description = "Prompts run together; the resume granularity (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(names = "--bootstrap", paramLabel = "B", defaultValue = "10000",
            description = "Bootstrap resamples (default: ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--proxy-train-prompts", defaultValue = "256", description = "Proxy recipe: TRAIN prompts, "
            + "at most 256 (default: ${DEFAULT-VALUE}).")
    int proxyTrainPrompts;

    @Option(names = "--proxy-draws", defaultValue = "4", description = "Proxy recipe: draws per prompt (default: "
            + "${DEFAULT-VALUE}).")
    int proxyDraws;

    @Option(names = "--proxy-samples", defaultValue = "12", description = "Proxy recipe: samples per draw "
            + "(default: ${DEFAULT-VALUE}).")
    int proxySamples;

    @Option(names = "--proxy-held-out-prompts", defaultValue = "128", description = "Proxy recipe: HELD_OUT "
            + "prompts (default: ${DEFAULT-VALUE}).")
    int proxyHeldOutPrompts;

    @Option(names = "--proxy-held-out-samples", defaultValue = "12", description = "Proxy recipe: samples per "
            + "held-out prompt (default: ${DEFAULT-VALUE}).")
    int proxyHeldOutSamples;

    @Option(names = "--proxy-epochs", defaultValue = "3", description = "Proxy recipe: epochs (default: "
            + "${DEFAULT-VALUE}).")
    int proxyEpochs;

    /** The 320 eval prompts of the design: EVAL, then TRAIN openings 256..511. */
    static List<String> evalPrompts() {
        List<String> out = new ArrayList<>(StoryPrompts.split(PromptSplit.EVAL));
        List<String> train = StoryPrompts.split(PromptSplit.TRAIN);
        out.addAll(train.subList(StoryPrompts.TRAIN_SIZE / 2, StoryPrompts.TRAIN_SIZE));
        return out;
    }

    @Override
    public Integer call() {
        check(promptCount >= 1 && promptCount <= EVAL_PROMPTS, "--prompt-count must be in [1, " + EVAL_PROMPTS
                + "], got " + promptCount);
        check(seeds >= 1 && seeds <= 1000, "--seeds must be in [1, 1000], got " + seeds);
        check(budget >= 1 && budget <= 4096, "--budget must be in [1, 4096], got " + budget);
        check(block >= 1 && block <= Checkpoints.MAX_BATCH, "--block must be in [1, " + Checkpoints.MAX_BATCH
                + "], got " + block);
        check(bootstrap >= 100 && bootstrap <= 1_000_000, "--bootstrap must be in [100, 1000000], got "
                + bootstrap);
        check(proxyTrainPrompts >= 1 && proxyTrainPrompts <= StoryPrompts.TRAIN_SIZE / 2,
                "--proxy-train-prompts must be in [1, " + StoryPrompts.TRAIN_SIZE / 2 + "] (the other TRAIN "
                        + "openings are eval prompts), got " + proxyTrainPrompts);
        check(proxyHeldOutPrompts >= 1 && proxyHeldOutPrompts <= StoryPrompts.HELD_OUT_SIZE,
                "--proxy-held-out-prompts must be in [1, " + StoryPrompts.HELD_OUT_SIZE + "], got "
                        + proxyHeldOutPrompts);
        betaOptions.validate(cl());
        if (betaOptions.beta == null && betaOptions.targetAcceptance == null) {
            betaOptions.targetAcceptance = 0.5;
        }
        SamplingConfig sampling = samplingOptions.sampling(cl());
        Limits.checkHeld(cl(), block + " prompts per block", block, budget, sampling.maxCompletionTokens(),
                "--block, --budget or --max-tokens");
        modelOptions.validate(cl());
        if (modelOptions.endpoints.active()) {
            // the experiment trains its own proxy reward model in-process: served models would be silently unused
            throw new ParameterException(cl(), "qalign overopt runs in-process models only (it trains its proxy "
                    + "reward model): --policy-endpoint/--reward-endpoint do not apply");
        }
        createDir(outDir);
        Path policyDir = modelOptions.policy == null ? Checkpoints.embeddedPolicy() : modelOptions.policy;

        ProxyReport proxy = null;
        Path rewardDir = modelOptions.reward;
        if (rewardDir == null) {
            rewardDir = outDir.resolve("proxy-rm");
            ProxyRecipe recipe;
            try {
                recipe = ProxyRecipe.builder().trainPrompts(proxyTrainPrompts).draws(proxyDraws)
                        .samplesPerDraw(proxySamples).heldOutPrompts(proxyHeldOutPrompts)
                        .heldOutSamples(proxyHeldOutSamples).epochs(proxyEpochs)
                        .maxTokens(sampling.maxCompletionTokens()).seed(1).build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl(), "proxy recipe: " + e.getMessage());
            }
            Optional<ProxyReport> earlier = ProxyRewardTraining.read(rewardDir);
            if (earlier.isPresent() && !earlier.get().recipe().equals(recipe)) {
                throw new ParameterException(cl(), rewardDir + " holds a proxy trained with another recipe ("
                        + earlier.get().recipe() + "); pass the same --proxy-* options or remove it");
            }
            if (earlier.isPresent()) {
                proxy = earlier.get();
                out().println("proxy reward model: reusing " + rewardDir);
            } else {
                out().println("proxy reward model: training into " + rewardDir + " (" + recipe + ")");
                out().flush();
                createDir(rewardDir);
                proxy = ProxyRewardTraining.train(policyDir, rewardDir, recipe, progress());
            }
            out().printf(Locale.ROOT, "proxy: %d training pairs (%s); held-out pairwise accuracy on gold pairs "
                            + "%.3f (%d), on proxy pairs %.3f (%d), on exploitable gold pairs %.3f (%d); train "
                            + "%.3f%n", proxy.trainPairs(), proxy.labelRule(), proxy.heldOutGoldAccuracy(),
                    proxy.heldOutGoldPairs(), proxy.heldOutProxyAccuracy(), proxy.heldOutProxyPairs(),
                    proxy.exploitableAccuracy(), proxy.exploitablePairs(), proxy.trainAccuracy());
        } else {
            out().println("proxy reward model: " + rewardDir + " (--reward; not trained here: its training prompts "
                    + "may overlap the eval prompts)");
        }

        List<String> prompts = evalPrompts().subList(0, promptCount);
        List<Long> seedList = LongStream.range(0, seeds).map(i -> samplingOptions.seed + i).boxed().toList();
        ObjectNode settings = JSON.createObjectNode().put("type", "settings").put("command", "qalign overopt")
                .put("version", QalignCli.VERSION).put("design", "docs/overoptimization-design.md")
                .put("prompt_count", promptCount).put("seeds", seeds).put("first_seed", samplingOptions.seed)
                .put("budget", budget).put("block", block).put("temperature", sampling.temperature())
                .put("max_tokens", sampling.maxCompletionTokens())
                .put("policy", modelOptions.policy == null ? "embedded stories260K" : modelOptions.policy.toString())
                .put("reward", rewardDir.toString());
        Path unitsFile = outDir.resolve("units.jsonl");
        ResumeFile resumed = null;
        if (Files.exists(unitsFile)) {
            try {
                resumed = ResumeFile.read(unitsFile);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl(), unitsFile + " is not an overopt units file: " + e.getMessage());
            }
            String diff = SampleSettings.difference(resumed.settings(), settings);
            if (diff != null) {
                throw new ParameterException(cl(), unitsFile + " was written with other settings: " + diff
                        + " (use the same options, or another --out)");
            }
        }
        List<UnitResult> units = new ArrayList<>();
        if (resumed != null) {
            for (JsonNode n : resumed.results()) {
                units.add(unit(n, unitsFile));
            }
        }
        OveroptConfig config;
        double beta;
        String betaSource;
        try (LoadedModels models = load(policyDir, rewardDir, sampling)) {
            if (resumed != null && resumed.settings().path("beta").isNumber()) {
                beta = resumed.settings().get("beta").asDouble();
                betaSource = resumed.settings().path("beta_source").asText();
                if (betaOptions.beta != null && betaOptions.beta != beta) {
                    throw new ParameterException(cl(), "--beta " + betaOptions.beta + " differs from the beta " + beta
                            + " of " + unitsFile);
                }
            } else {
                BetaChoice choice = beta(betaOptions, models, StoryPrompts.split(PromptSplit.HELD_OUT), sampling,
                        samplingOptions.seed);
                beta = choice.beta();
                betaSource = choice.source();
                models.forgetCaches().run();
            }
            settings.put("beta", beta).put("beta_source", betaSource);
            out().printf(Locale.ROOT, "beta %.4g (%s); %d prompts x %d seeds, budgets up to %d, blocks of %d; "
                    + "%d of %d units already done%n", beta, betaSource, promptCount, seeds, budget, block,
                    units.size(), promptCount * seeds);
            out().flush();
            config = OveroptConfig.builder().prompts(prompts).seeds(seedList).maxBudget(budget).beta(beta)
                    .sampling(sampling).blockPrompts(block).build();
            if (resumed == null || !resumed.complete()) {
                try (JsonlOutput sink = resumed == null ? JsonlOutput.replacing(unitsFile)
                        : JsonlOutput.appending(unitsFile, resumed.keepBytes())) {
                    if (resumed == null) {
                        sink.write(settings + "\n", false);
                    }
                    new OveroptRunner(models.policy(), models.reward(), CheerfulStoryRule.defaults(),
                            ProxyLabels.joyOnly()).run(config, units.size(), blockUnits -> {
                                StringBuilder sb = new StringBuilder();
                                for (UnitResult u : blockUnits) {
                                    ObjectNode line = JSON.createObjectNode().put("type", "result")
                                            .put("prompt_index", units.size());
                                    line.set("unit", JSON.valueToTree(u));
                                    sb.append(line).append('\n');
                                    units.add(u);
                                }
                                sink.write(sb.toString(), true);
                            }, progress());
                    sink.write(JSON.createObjectNode().put("type", "summary").put("units", units.size()) + "\n",
                            true);
                }
            }
        }
        OveroptAnalysis analysis = OveroptAnalysis.of(units, bootstrap, BOOTSTRAP_SEED);
        write(outDir.resolve("overopt.csv"), analysis.pointsCsv());
        write(outDir.resolve("comparisons.csv"), analysis.comparisonsCsv());
        OveroptPlot.writePng(analysis, String.format(Locale.ROOT, "qalign overopt: %d prompts x %d seeds, beta "
                + "%.3g%s", promptCount, seeds, beta, proxy == null ? "" : String.format(Locale.ROOT,
                ", proxy gold-pair accuracy %.2f", proxy.heldOutGoldAccuracy())), outDir.resolve("overopt.png"));
        out().print(analysis.report());
        out().printf(Locale.ROOT, "wrote %s, %s, %s and %s%n", unitsFile, outDir.resolve("overopt.csv"),
                outDir.resolve("comparisons.csv"), outDir.resolve("overopt.png"));
        if (promptCount != EVAL_PROMPTS || seeds != 4 || budget != 256) {
            out().println("NOTE: smaller than the pre-registered design (320 prompts x 4 seeds, budget 256): a pilot.");
        }
        out().flush();
        return 0;
    }

    private LoadedModels load(Path policyDir, Path rewardDir, SamplingConfig sampling) {
        try {
            return parent.models().load(modelOptions.policy, rewardDir, modelOptions.device,
                    sampling.maxCompletionTokens());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load the models (policy " + policyDir + ", reward " + rewardDir
                    + "): " + QalignCli.message(e), e);
        }
    }

    private static UnitResult unit(JsonNode line, Path file) {
        try {
            return JSON.treeToValue(line.get("unit"), UnitResult.class);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(file + ": result " + line.path("prompt_index") + " is not a unit ("
                    + e.getMessage() + ")", e);
        }
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(cl(), message);
        }
    }

    private void createDir(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ParameterException(cl(), "--out: not a directory: " + dir);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ParameterException(cl(), "--out: cannot create directory " + dir + ": " + e.getMessage());
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
