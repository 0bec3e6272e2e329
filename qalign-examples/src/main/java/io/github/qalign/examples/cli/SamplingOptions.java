package io.github.qalign.examples.cli;

import io.github.qalign.model.SamplingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --temperature}, {@code --max-tokens}, {@code --seed}. */
public final class SamplingOptions {

    /** Largest accepted --temperature (at 100 the policy is already close to uniform). */
    static final double MAX_TEMPERATURE = 100;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Softmax temperature of the policy. It defines the base distribution p_LM, hence QAlign's "
                    + "target p_LM(y|x) exp(r/beta); 1 samples the model as trained (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128",
            description = "Cap on the completion length in tokens, 1..65536; generation stops there if the model "
                    + "has not ended (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1",
            description = "Seed of every random draw: the same seed and settings give the same output "
                    + "(default: ${DEFAULT-VALUE}).")
    long seed;

    /** The sampling configuration; throws a {@link ParameterException} naming a bad value. */
    SamplingConfig sampling(CommandLine cl) {
        if (!(temperature >= 0) || !(temperature <= MAX_TEMPERATURE)) {
            throw new ParameterException(cl, "--temperature must be a finite number in [0, " + MAX_TEMPERATURE
                    + "] (0 = greedy), got " + temperature);
        }
        Limits.checkRange(cl, "--max-tokens", maxTokens, 1, Limits.MAX_TOKENS);
        try {
            return SamplingConfig.builder().temperature(temperature).maxCompletionTokens(maxTokens).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--temperature/--max-tokens: " + e.getMessage());
        }
    }
}
