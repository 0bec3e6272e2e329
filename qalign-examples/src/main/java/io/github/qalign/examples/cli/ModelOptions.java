package io.github.qalign.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --policy}, {@code --reward}, {@code --device}. */
public final class ModelOptions {

    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d+)?");

    @Option(names = "--policy", paramLabel = "DIR",
            description = "Policy checkpoint directory in Hugging Face layout (config.json, model.safetensors, "
                    + "tokenizer.json). Default: the embedded stories260K TinyStories model.")
    Path policy;

    @Option(names = "--reward", paramLabel = "DIR",
            description = "Reward model directory in Hugging Face layout (LlamaForSequenceClassification, one "
                    + "label, score read at the last token). Default: the embedded stories260K reward model trained "
                    + "on cheerful-story preferences.")
    Path reward;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "Where the models run: cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @picocli.CommandLine.Mixin
    EndpointOptions endpoints = new EndpointOptions();

    /** Checks the directories and the device; throws a {@link ParameterException} naming the problem. */
    void validate(CommandLine cl) {
        endpoints.validate(cl);
        checkCheckpoint(cl, "--policy", policy);
        checkCheckpoint(cl, "--reward", reward);
        if (!DEVICE.matcher(device).matches()) {
            throw new ParameterException(cl, "--device: expected cpu, gpu or gpu:N, got '" + device + "'");
        }
    }

    static void checkCheckpoint(CommandLine cl, String option, Path dir) {
        if (dir == null) {
            return;
        }
        if (!Files.exists(dir)) {
            throw new ParameterException(cl, option + ": directory not found: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(cl, option + ": not a directory: " + dir
                    + " (expected a Hugging Face checkpoint directory)");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new ParameterException(cl, option + ": " + dir + " has no config.json");
        }
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))
                && !Files.isRegularFile(dir.resolve("model.safetensors.index.json"))) {
            throw new ParameterException(cl, option + ": " + dir
                    + " has no model.safetensors (nor model.safetensors.index.json)");
        }
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new ParameterException(cl, option + ": " + dir + " has no tokenizer.json");
        }
    }
}
