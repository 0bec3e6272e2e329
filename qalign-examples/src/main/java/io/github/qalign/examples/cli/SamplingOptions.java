package io.github.qalign.examples.cli;

import io.github.qalign.model.SamplingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --temperature}, {@code --max-tokens}, {@code --seed}. */
public final class SamplingOptions {

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Softmax temperature of the policy. It defines the base distribution p_LM, hence QAlign's "
                    + "target p_LM(y|x) exp(r/beta); 1 samples the model as trained (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128",
            description = "Cap on the completion length in tokens; generation stops there if the model has not "
                    + "ended (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of every random draw: the same seed and settings give the same output "
                    + "(default: ${DEFAULT-VALUE}).")
    long seed;

    /** The sampling configuration; throws a {@link ParameterException} naming a bad value. */
    SamplingConfig sampling(CommandLine cl) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new ParameterException(cl, "--temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (maxTokens < 1) {
            throw new ParameterException(cl, "--max-tokens must be >= 1, got " + maxTokens);
        }
        return SamplingConfig.builder().temperature(temperature).maxCompletionTokens(maxTokens).build();
    }
}
