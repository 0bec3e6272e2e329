package io.github.qalign.examples.cli;

import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.examples.task.PromptSplit;
import io.github.qalign.examples.task.StoryPrompts;
import io.github.qalign.model.SamplingConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code qalign demo}: a small offline sweep on the embedded models. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Offline demo on the embedded models: all methods at budgets 1..16, table + PNG.",
        description = {"The main job, offline, in about a minute on 2 CPU cores: the embedded stories260K TinyStories "
                + "policy writes stories for 16 built-in openings; a small reward model we trained to prefer cheerful "
                + "stories scores them; QAlign, best-of-n, majority vote, weighted majority vote and MBR choose "
                + "answers at budgets 1, 2, 4, 8, 16. Prints the gold metric (the true cheerful-story rule, which the "
                + "reward model only approximates) and the proxy reward against compute, writes OUT/demo.png (95%% "
                + "error bars, every method's line visible) and OUT/demo.csv, and closes with a reading computed from "
                + "the numbers: what rose, what did not, and how noisy 16 prompts are. 'qalign sweep' runs the full "
                + "experiment; docs/results.md reports it."})
final class DemoCommand extends SweepSupport implements Callable<Integer> {

    @Option(names = "--prompt-count", paramLabel = "K", defaultValue = "16",
            description = "Built-in eval openings to use, 1.." + StoryPrompts.EVAL_SIZE + " (default: "
                    + "${DEFAULT-VALUE}).")
    int demoPromptCount;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "16",
            description = "Largest budget (default: ${DEFAULT-VALUE}).")
    int demoBudget;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "qalign-demo",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path demoOut;

    @Override
    public Integer call() {
        if (demoPromptCount < 1 || demoPromptCount > StoryPrompts.EVAL_SIZE) {
            throw new ParameterException(cl(), "--prompt-count must be in [1, " + StoryPrompts.EVAL_SIZE
                    + "], got " + demoPromptCount);
        }
        Limits.checkBudget(cl(), "--budget", demoBudget, EnumSet.allOf(Method.class));
        betaOptions.validate(cl());
        SamplingConfig sampling = samplingOptions.sampling(cl());
        Limits.checkHeld(cl(), "--prompt-count " + demoPromptCount, demoPromptCount, demoBudget,
                sampling.maxCompletionTokens(), "--prompt-count, --budget or --max-tokens");
        modelOptions.validate(cl());
        prepareOutDir(demoOut);
        List<String> prompts = StoryPrompts.split(PromptSplit.EVAL, demoPromptCount);
        return runSweep(demoOut, prompts, StoryPrompts.split(PromptSplit.HELD_OUT), sampling, EnumSet.allOf(Method.class),
                demoBudget, AnswerFormat.TEXT, "demo", "qalign demo");
    }
}
