package io.github.qalign.examples.cli;

import io.github.qalign.remote.Dialect;
import io.github.qalign.remote.Fleet;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Model servers instead of in-process models: {@code --policy-endpoint}, {@code --reward-endpoint} (each repeatable:
 * several servers of one model form a fleet), {@code --policy-tokenizer}, {@code --reward-tokenizer},
 * {@code --reward-head}, {@code --server}. A picocli mixin inside {@link ModelOptions}; {@link RemoteModels} builds the
 * models.
 */
public final class EndpointOptions {

    @Option(names = "--policy-endpoint", paramLabel = "URL",
            description = "Base URL of a server running the policy (vLLM, SGLang or llama.cpp; e.g. "
                    + "http://gpu1:8000). Repeat for a fleet. Requires --reward-endpoint.")
    List<URI> policyEndpoints = new ArrayList<>();

    @Option(names = "--reward-endpoint", paramLabel = "URL",
            description = "Base URL of a server running the reward model (vLLM/SGLang /classify, or llama.cpp "
                    + "--embeddings --pooling last with --reward-head). Repeat for a fleet.")
    List<URI> rewardEndpoints = new ArrayList<>();

    @Option(names = "--policy-tokenizer", paramLabel = "DIR",
            description = "The policy's tokenizer files (a checkpoint folder or just tokenizer.json, "
                    + "tokenizer_config.json, config.json, generation_config.json). Default: --policy if given, "
                    + "else the server tokenizes.")
    Path policyTokenizer;

    @Option(names = "--reward-tokenizer", paramLabel = "DIR",
            description = "The reward model's tokenizer files; the prompt and completion text are re-rendered with "
                    + "its chat template. Default: --reward if given, else the policy's ids are scored directly "
                    + "(only right when both models share a tokenizer and prompt format).")
    Path rewardTokenizer;

    @Option(names = "--reward-head", paramLabel = "DIR",
            description = "The reward checkpoint folder whose score.weight is applied to the hidden states a "
                    + "llama.cpp server returns (--server llamacpp only).")
    Path rewardHead;

    @Option(names = "--server", paramLabel = "KIND", defaultValue = "vllm",
            description = "The servers' API: vllm, sglang or llamacpp (default: ${DEFAULT-VALUE}).")
    String server;

    /**
     * Whether model servers are used.
     *
     * @return true when an endpoint is given
     */
    boolean active() {
        return !policyEndpoints.isEmpty() || !rewardEndpoints.isEmpty();
    }

    Dialect dialect() {
        return switch (server.toLowerCase(Locale.ROOT).replace(".", "").replace("-", "").replace("_", "")) {
            case "vllm" -> Dialect.VLLM;
            case "sglang" -> Dialect.SGLANG;
            case "llamacpp" -> Dialect.LLAMA_CPP;
            default -> throw new IllegalArgumentException(server);
        };
    }

    /** Checks the combination; throws a {@link ParameterException} naming the problem. */
    void validate(CommandLine cl) {
        try {
            dialect();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--server: expected vllm, sglang or llamacpp, got '" + server + "'");
        }
        if (!active()) {
            for (String o : new String[] {"--policy-tokenizer", "--reward-tokenizer", "--reward-head"}) {
                if ((o.equals("--policy-tokenizer") && policyTokenizer != null)
                        || (o.equals("--reward-tokenizer") && rewardTokenizer != null)
                        || (o.equals("--reward-head") && rewardHead != null)) {
                    throw new ParameterException(cl, o + " only applies with --policy-endpoint/--reward-endpoint");
                }
            }
            return;
        }
        if (policyEndpoints.isEmpty() || rewardEndpoints.isEmpty()) {
            throw new ParameterException(cl, "give both --policy-endpoint and --reward-endpoint (mixing a served "
                    + "model with an in-process one is not supported)");
        }
        checkUrls(cl, "--policy-endpoint", policyEndpoints);
        checkUrls(cl, "--reward-endpoint", rewardEndpoints);
        checkDir(cl, "--policy-tokenizer", policyTokenizer, "tokenizer.json");
        checkDir(cl, "--reward-tokenizer", rewardTokenizer, "tokenizer.json");
        checkDir(cl, "--reward-head", rewardHead, null);
        if (dialect() == Dialect.LLAMA_CPP && rewardHead == null) {
            throw new ParameterException(cl, "--server llamacpp returns hidden states: give --reward-head DIR (the "
                    + "reward checkpoint with score.weight)");
        }
        if (dialect() != Dialect.LLAMA_CPP && rewardHead != null) {
            throw new ParameterException(cl, "--reward-head applies to --server llamacpp only; " + server
                    + " returns the score itself");
        }
    }

    private static void checkUrls(CommandLine cl, String option, List<URI> urls) {
        for (URI u : urls) {
            try {
                Fleet.normalize(u);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, option + ": " + e.getMessage());
            }
        }
    }

    private static void checkDir(CommandLine cl, String option, Path dir, String mustHave) {
        if (dir == null) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(cl, option + ": not a directory: " + dir);
        }
        if (mustHave != null && !Files.isRegularFile(dir.resolve(mustHave))) {
            throw new ParameterException(cl, option + ": " + dir + " has no " + mustHave);
        }
    }
}
