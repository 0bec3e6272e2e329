package io.github.qalign.examples.cli;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.models.ExampleModels;
import io.github.qalign.model.TokenIds;
import io.github.qalign.remote.RemoteLanguageModel;
import io.github.qalign.serve.ApiException;
import io.github.qalign.serve.QalignServer;
import io.github.qalign.serve.ServedPolicy;
import io.github.qalign.serve.ServedReward;
import io.github.qalign.serve.TextCodec;
import io.github.qalign.serve.ServerConfig;
import io.github.qalign.serve.djl.DjlServing;
import io.github.qalign.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qalign serve}: the OpenAI/vLLM-compatible HTTP service ({@link QalignServer}) on in-process DJL models.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Serve the policy and the reward model over HTTP: vLLM-compatible model endpoints (/v1/completions, "
                + "/classify, /tokenize, /detokenize, /v1/models, /health) and test-time alignment as an OpenAI chat "
                + "completion (/v1/chat/completions with a 'qalign' request object: method, budget, beta or "
                + "target_acceptance, chains, seed). Concurrent requests are batched into the runtime's forward "
                + "passes. Stops gracefully on Ctrl-C / SIGTERM (requests in flight finish).",
            "",
            "With --policy-endpoint/--reward-endpoint it fronts model servers (vLLM, SGLang, llama.cpp fleets) "
                + "through qalign-remote instead of loading the models in-process.",
            "",
            "Binds to 127.0.0.1 by default; set --api-key (or QALIGN_API_KEY) before binding elsewhere."})
final class ServeCommand implements Callable<Integer> {

    /** Environment variable holding the bearer token when --api-key is not given. */
    static final String API_KEY_ENV = "QALIGN_API_KEY";

    /** Test hook: called with the running server (tests stop it to end the command). */
    static volatile Consumer<QalignServer> onStarted;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8000",
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free port).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Bearer token required on every request but /health (default: the " + API_KEY_ENV
                    + " environment variable; none if unset).")
    String apiKey;

    @Option(names = "--policy-name", paramLabel = "ID",
            description = "Model id of the policy in requests and /v1/models (default: stories260k for the embedded "
                    + "model, else the --policy directory's name).")
    String policyName;

    @Option(names = "--reward-name", paramLabel = "ID",
            description = "Model id of the reward model (default: stories260k-rm for the embedded model, else the "
                    + "--reward directory's name).")
    String rewardName;

    @Option(names = "--context", paramLabel = "N", defaultValue = "512",
            description = "Positions per sequence, prompt plus completion (default: ${DEFAULT-VALUE}; capped by the "
                    + "model's max_position_embeddings).")
    int context;

    @Option(names = "--max-batch", paramLabel = "B", defaultValue = "64",
            description = "Rows per batched forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--batch-wait-ms", paramLabel = "MS", defaultValue = "0",
            description = "How long a batch waits for more requests after its first one (default: ${DEFAULT-VALUE}: "
                    + "a batch is whatever queued while the model ran the previous one).")
    long batchWaitMs;

    @Option(names = "--no-batching", description = "Run every request alone (for comparisons).")
    boolean noBatching;

    @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "64",
            description = "Model-endpoint requests served at once (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;

    @Option(names = "--max-queued", paramLabel = "N", defaultValue = "256",
            description = "Requests waiting beyond --max-concurrent; more get 503 (default: ${DEFAULT-VALUE}).")
    int maxQueued;

    @Option(names = "--max-alignments", paramLabel = "N", defaultValue = "4",
            description = "Alignment requests run at once (default: ${DEFAULT-VALUE}; 4x as many may wait).")
    int maxAlignments;

    @Option(names = "--max-budget", paramLabel = "N", defaultValue = "128",
            description = "Largest qalign.budget accepted; larger gets 400 (default: ${DEFAULT-VALUE}).")
    int maxBudget;

    @Option(names = "--default-budget", paramLabel = "N", defaultValue = "8",
            description = "Budget of alignment requests that give none (default: ${DEFAULT-VALUE}).")
    int defaultBudget;

    @Option(names = "--beta", paramLabel = "BETA",
            description = "Beta of alignment requests that give none (default: the value tuned for the embedded "
                    + "reward model, " + ExampleModels.DEFAULT_BETA + ", with it; 1 with --reward).")
    Double beta;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Seed of the generator that seeds requests without a seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Per-request deadline; work still running then is abandoned with 504 (default: "
                    + "${DEFAULT-VALUE}).")
    long requestTimeout;

    @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "1048576",
            description = "Largest request body; larger gets 413 (default: ${DEFAULT-VALUE}).")
    int maxRequestBytes;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a stop waits for requests in flight (default: ${DEFAULT-VALUE}).")
    long shutdownGrace;

    /** The embedded reward model's checkpoint directory: the one place this command reaches it. */
    static Path embeddedRewardModel() {
        return EmbeddedModels.stories260kReward();
    }

    /** The served models and what closes them. */
    private record Served(ServedPolicy policy, ServedReward reward, AutoCloseable closer) implements AutoCloseable {
        @Override
        public void close() {
            try {
                closer.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the models failed: " + e.getMessage(), e);
            }
        }
    }

    private Served inProcess() {
        Path policyDir = modelOptions.policy == null ? Checkpoints.embeddedPolicy() : modelOptions.policy;
        Path rewardDir = modelOptions.reward == null ? embeddedRewardModel() : modelOptions.reward;
        LlamaOptions options = LlamaOptions.builder().device(Checkpoints.device(modelOptions.device))
                .maxBatchSize(maxBatch).contextLength(context).build();
        DjlServing m = DjlServing.open(policyDir, rewardDir, options,
                policyName != null ? policyName : modelOptions.policy == null ? "stories260k" : null,
                rewardName != null ? rewardName : modelOptions.reward == null ? "stories260k-rm" : null);
        return new Served(m.policy(), m.reward(), m);
    }

    /**
     * Fronts model servers (qalign-remote): the alignment endpoint runs against them; text prompts need the
     * policy's tokenizer files (--policy-tokenizer or --policy), token-id prompts work without.
     */
    private Served remote() {
        LoadedModels m = RemoteModels.load(modelOptions);
        List<AutoCloseable> owned = new ArrayList<>();
        owned.add(m);
        try {
            RemoteLanguageModel lm = (RemoteLanguageModel) m.policy();
            EndpointOptions e = modelOptions.endpoints;
            Path tokDir = e.policyTokenizer != null ? e.policyTokenizer : modelOptions.policy;
            TextCodec codec;
            if (tokDir != null) {
                HfTokenizer tok = HfTokenizer.open(tokDir);
                owned.add(0, tok);
                codec = DjlServing.textCodec(tok, lm.vocabSize());
            } else {
                codec = new TextCodec() {
                    @Override
                    public int[] encode(String text, boolean addSpecialTokens) {
                        throw ApiException.badRequest("prompt", "no_tokenizer", "this server fronts remote models "
                                + "without local tokenizer files (start it with --policy-tokenizer): send token ids");
                    }

                    @Override
                    public String decode(int[] ids, boolean skipSpecialTokens) {
                        return lm.decode(TokenIds.of(ids));
                    }

                    @Override
                    public int vocabSize() {
                        return lm.vocabSize();
                    }
                };
            }
            ServedPolicy p = new ServedPolicy(policyName != null ? policyName : "remote-policy", lm, codec, context);
            ServedReward r = new ServedReward(rewardName != null ? rewardName : "remote-reward", m.reward(),
                    m.reward(), codec, context);
            return new Served(p, r, () -> {
                for (AutoCloseable c : owned) {
                    c.close();
                }
            });
        } catch (RuntimeException ex) {
            m.close();
            throw ex;
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cl = spec.commandLine();
        modelOptions.validate(cl);
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_ENV);
        ServerConfig config;
        try {
            config = ServerConfig.builder().host(host).port(port).apiKey(key == null || key.isBlank() ? null : key)
                    .maxRequestBytes(maxRequestBytes).requestTimeout(Duration.ofSeconds(requestTimeout))
                    .concurrency(maxConcurrent, maxQueued).alignmentConcurrency(maxAlignments, 4 * maxAlignments)
                    .batching(maxBatch, Duration.ofMillis(batchWaitMs), !noBatching).maxBudget(maxBudget)
                    .defaultBudget(defaultBudget)
                    .defaultBeta(beta != null ? beta : modelOptions.reward == null ? ExampleModels.DEFAULT_BETA : 1.0)
                    .seed(seed).shutdownGrace(Duration.ofSeconds(shutdownGrace)).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        if (context < 2) {
            throw new ParameterException(cl, "--context must be >= 2, got " + context);
        }
        long t0 = System.nanoTime();
        Served models = modelOptions.endpoints.active() ? remote() : inProcess();
        QalignServer server;
        try {
            server = QalignServer.start(models.policy(), models.reward(), config);
        } catch (IOException e) {
            models.close();
            throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        Thread hook = new Thread(() -> {
            server.stop();
            models.close();
        }, "qalign-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().printf("qalign serve: listening on %s (policy %s, reward model %s; started in "
                + "%.1f s)%n", server.baseUri(), models.policy().name(), models.reward().name(),
                (System.nanoTime() - t0) / 1e9);
        spec.commandLine().getOut().flush();
        Consumer<QalignServer> h = onStarted;
        if (h != null) {
            h.accept(server);
        }
        server.join();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.stop();
            models.close();
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook stops the server and closes the models
        }
        return 0;
    }
}
