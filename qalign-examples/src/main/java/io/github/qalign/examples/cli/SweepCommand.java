package io.github.qalign.examples.cli;

import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.experiment.SweepConfig;
import io.github.qalign.examples.experiment.SweepPlot;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code qalign sweep}: every method at budgets 1, 2, 4, ..., N; gold metric and proxy reward vs compute. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Every method at budgets 1, 2, 4, ..., N: gold metric and proxy reward vs compute; CSV + PNG.",
        description = {"Run every method at budgets 1, 2, 4, ..., N on a prompt set (each method's budgets come from "
                + "ONE run: N independent samples per prompt shared by bon/mv/wmv/mbr, one QAlign chain of N states "
                + "per prompt) and measure the GOLD metric and the proxy reward of the chosen answers against compute "
                + "(tokens and FLOPs = 2 x parameters x computed tokens, policy and reward model).",
            "",
            "Gold metric: the cheerful-story rule (the continuation contains a joy word and no distress word; see "
                + "docs/results.md). Writes OUT/sweep.csv and OUT/sweep.png (gold and proxy reward vs FLOPs, one "
                + "line per method) and prints the table."})
final class SweepCommand extends SweepSupport implements Callable<Integer> {

    @Option(names = "--prompts", paramLabel = "FILE.jsonl",
            description = "Prompt file, one {\"prompt\": \"...\"} per line. Default: the built-in eval story openings.")
    Path promptsFile;

    @Option(names = "--prompt-count", paramLabel = "K", defaultValue = "64",
            description = "How many built-in eval openings to use, 1.." + StoryPrompts.EVAL_SIZE
                    + " (default: ${DEFAULT-VALUE}; ignored with --prompts).")
    int promptCount;

    @Option(names = "--methods", paramLabel = "M", split = ",", defaultValue = "qalign,bon,mv,wmv,mbr",
            description = "Comma-separated methods (default: ${DEFAULT-VALUE}).")
    List<Method> methods;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "32",
            description = "Largest budget N (samples or chain states per prompt); budgets 1, 2, 4, ..., N are "
                    + "measured (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--answer", paramLabel = "FORMAT", defaultValue = "text",
            description = "What mv/wmv vote on: text, number, boxed or choice (default: ${DEFAULT-VALUE}).")
    AnswerFormat answer;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "qalign-sweep",
            description = "Output directory for sweep.csv and sweep.png, created if missing (default: "
                    + "${DEFAULT-VALUE}).")
    Path outDir;


    @Override
    public Integer call() throws IOException {
        List<String> prompts = prompts();
        Limits.checkBudget(cl(), "--budget", budget, EnumSet.copyOf(methods));
        betaOptions.validate(cl());
        SamplingConfig sampling = samplingOptions.sampling(cl());
        Limits.checkHeld(cl(), prompts.size() + " prompts", prompts.size(), budget, sampling.maxCompletionTokens(),
                "the number of prompts, --budget or --max-tokens (QAlign runs all prompts' chains together)");
        modelOptions.validate(cl());
        prepareOutDir(outDir);
        List<String> calibration = promptsFile == null ? StoryPrompts.split(PromptSplit.HELD_OUT) : prompts;
        return runSweep(outDir, prompts, calibration, sampling, EnumSet.copyOf(methods), budget, answer, "sweep",
                "qalign sweep");
    }

    private List<String> prompts() {
        if (promptsFile == null) {
            if (promptCount < 1 || promptCount > StoryPrompts.EVAL_SIZE) {
                throw new ParameterException(cl(), "--prompt-count must be in [1, " + StoryPrompts.EVAL_SIZE
                        + "], got " + promptCount);
            }
            return StoryPrompts.split(PromptSplit.EVAL, promptCount);
        }
        if (!Files.isRegularFile(promptsFile)) {
            throw new ParameterException(cl(), "--prompts: file not found: " + promptsFile);
        }
        try {
            return PromptsFile.read(promptsFile);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl(), "--prompts: " + e.getMessage());
        }
    }
}
