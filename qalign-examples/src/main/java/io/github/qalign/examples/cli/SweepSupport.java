package io.github.qalign.examples.cli;

import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.experiment.SweepConfig;
import io.github.qalign.examples.experiment.SweepPlot;
import io.github.qalign.examples.experiment.SweepReading;
import io.github.qalign.examples.experiment.SweepReport;
import io.github.qalign.examples.experiment.SweepResult;
import io.github.qalign.examples.experiment.SweepRunner;
import io.github.qalign.examples.io.PromptsFile;
import io.github.qalign.examples.task.CheerfulStoryRule;
import io.github.qalign.examples.task.PromptSplit;
import io.github.qalign.examples.task.StoryPrompts;
import io.github.qalign.model.SamplingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** What {@code sweep} and {@code demo} share: beta, sampling and model options, and running a sweep. */
abstract class SweepSupport extends CommandSupport {

    @Mixin
    BetaOptions betaOptions;

    @Mixin
    SamplingOptions samplingOptions;

    @Mixin
    ModelOptions modelOptions;

    int runSweep(Path outDir, List<String> prompts, List<String> calibration, SamplingConfig sampling, EnumSet<Method> ms,
                 int maxBudget, AnswerFormat answerFormat, String baseName, String title) {
        try (LoadedModels models = load(modelOptions, sampling)) {
            BetaChoice beta = beta(betaOptions, models, calibration, sampling, samplingOptions.seed);
            SweepConfig config = SweepConfig.builder().prompts(prompts).methods(ms).maxBudget(maxBudget)
                    .beta(beta.beta()).sampling(sampling).seed(samplingOptions.seed)
                    .extractor(answerFormat.extractor()).build();
            SweepResult result = new SweepRunner(models.policy(), models.reward(), CheerfulStoryRule.defaults())
                    .run(config, progress());
            Path csv = outDir.resolve(baseName + ".csv");
            Path png = outDir.resolve(baseName + ".png");
            SweepReport.writeCsv(result, csv);
            SweepPlot.writePng(result, String.format(Locale.ROOT, "%s: %d prompts, beta %.3g, seed %d", title,
                    prompts.size(), beta.beta(), samplingOptions.seed), png);
            out().printf(Locale.ROOT, "%d prompts, budgets up to %d, temperature %.3g, max %d tokens, seed %d, "
                            + "beta %.4g (%s)%n", prompts.size(), maxBudget, sampling.temperature(),
                    sampling.maxCompletionTokens(), samplingOptions.seed, beta.beta(), beta.source());
            out().println("gold metric: " + CheerfulStoryRule.defaults().description());
            out().print(SweepReport.table(result));

            out().printf(Locale.ROOT, "wrote %s and %s (%.0f s)%n", csv, png, result.seconds());
            out().println();
            out().print(SweepReading.read(result, baseName.equals("demo")));
            out().flush();
            return 0;
        }
    }

    void prepareOutDir(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ParameterException(cl(), "--out: not a directory: " + dir);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ParameterException(cl(), "--out: cannot create directory " + dir + ": " + e.getMessage());
        }
    }
}
