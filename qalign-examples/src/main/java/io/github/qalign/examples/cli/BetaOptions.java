package io.github.qalign.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --beta} or {@code --target-acceptance} (mutually exclusive). */
public final class BetaOptions {

    /** Largest accepted --beta (far above any reward scale: the target is then the base model). */
    static final double MAX_BETA = 1e6;

    @Option(names = "--beta", paramLabel = "BETA",
            description = "QAlign's target temperature: the chain samples p_LM(y|x) exp(r(x,y)/beta). Smaller beta "
                    + "trusts the reward model more (sharper target, fewer accepted proposals, closer to best-of-n); "
                    + "larger beta stays closer to the base model. Also the temperature of WMV's weights "
                    + "softmax(r/beta). Default: the value tuned for the embedded reward model.")
    Double beta;

    @Option(names = "--target-acceptance", paramLabel = "RATE",
            description = "Instead of --beta: tune beta so that about this fraction of QAlign proposals is accepted "
                    + "(0 < RATE < 1; the paper uses 0.5), measured on a short calibration run.")
    Double targetAcceptance;

    void validate(CommandLine cl) {
        if (beta != null) {
            Limits.checkPositiveFinite(cl, "--beta", beta, MAX_BETA);
        }
        if (targetAcceptance != null && !(targetAcceptance > 0 && targetAcceptance < 1)) {
            throw new ParameterException(cl, "--target-acceptance must be in (0, 1), got " + targetAcceptance);
        }
        if (beta != null && targetAcceptance != null) {
            throw new ParameterException(cl, "--beta and --target-acceptance are mutually exclusive");
        }
    }

    boolean given() {
        return beta != null || targetAcceptance != null;
    }
}
