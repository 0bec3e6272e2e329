package io.github.qalign.examples.cli;

import io.github.qalign.beta.BetaTuner;
import io.github.qalign.beta.BetaTunerResult;
import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.models.ExampleModels;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.sampler.QAlignSampler;
import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What the subcommands share: the parent, progress, model loading, beta choice. */
abstract class CommandSupport {

    /** Steps of a beta calibration run. */
    static final int CALIBRATION_STEPS = 8;
    /** At most this many prompts calibrate beta. */
    static final int CALIBRATION_PROMPTS = 32;

    @ParentCommand
    QalignCli parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--no-progress", description = "Do not draw progress bars (on stderr).")
    boolean noProgress;

    CommandLine cl() {
        return spec.commandLine();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Progress progress() {
        return noProgress || parent.progressStream() == null ? Progress.NONE
                : new ConsoleProgress(parent.progressStream());
    }

    LoadedModels load(ModelOptions m, SamplingConfig sampling) {
        try {
            if (m.endpoints.active()) {
                return RemoteModels.load(m);
            }
            return parent.models().load(m.policy, m.reward, m.device, sampling.maxCompletionTokens());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load the models (policy "
                    + (m.policy == null ? "embedded stories260K" : m.policy) + ", reward "
                    + (m.reward == null ? "embedded stories260K-rm" : m.reward) + "): " + QalignCli.message(e), e);
        }
    }

    /** The chosen beta and, when tuned, the tuner's result. */
    record BetaChoice(double beta, BetaTunerResult tuned, String source) {
    }

    BetaChoice beta(BetaOptions o, LoadedModels models, List<String> calibration, SamplingConfig sampling,
                    long seed) {
        if (o.beta != null) {
            return new BetaChoice(o.beta, null, "--beta");
        }
        if (o.targetAcceptance == null) {
            return new BetaChoice(ExampleModels.DEFAULT_BETA, null, "default for the embedded reward model");
        }
        List<Prompt> prompts = calibration.subList(0, Math.min(CALIBRATION_PROMPTS, calibration.size())).stream()
                .map(models.policy()::prompt).toList();
        QAlignSampler template = QAlignSampler.builder().languageModel(models.policy())
                .rewardModel(models.reward()).beta(ExampleModels.DEFAULT_BETA).steps(CALIBRATION_STEPS)
                .chainsPerPrompt(1).sampling(sampling).build();
        Progress p = progress();
        p.start("tuning beta", 1);
        BetaTunerResult r = BetaTuner.builder().sampler(template).targetAcceptance(o.targetAcceptance)
                .initialBeta(ExampleModels.DEFAULT_BETA).tolerance(0.05).maxEvaluations(8).build()
                .tune(prompts, new SplittableRandom(seed ^ 0x5DEECE66DL));
        p.step(1);
        p.finish();
        return new BetaChoice(r.beta(), r, "tuned to acceptance " + o.targetAcceptance + " on " + prompts.size()
                + " prompts (measured " + String.format(java.util.Locale.ROOT, "%.3f", r.acceptanceRate()) + ")");
    }
}
