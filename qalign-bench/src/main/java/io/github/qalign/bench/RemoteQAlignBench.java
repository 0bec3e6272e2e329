package io.github.qalign.bench;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.remote.RemoteLanguageModel;
import io.github.qalign.remote.RemoteRewardModel;
import io.github.qalign.remote.testing.ModelServer;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What going through HTTP costs: QAlign on stories260K in process vs. through a loopback {@link ModelServer}
 * (vLLM's shapes, the same DJL models behind it), and generation throughput through a fleet of 1 vs. 3 server
 * instances (each with its own model). Wall-clock timing on a shared machine: read the figures as rough.
 *
 * <p>Usage: {@code java -cp ... io.github.qalign.bench.RemoteQAlignBench [chains=8] [steps=10] [cap=64]
 * [requests=48] [reps=3] [serverBatch=64]} — {@code serverBatch} is {@link ModelServer.Builder#maxBatch(int)}:
 * 1 runs every HTTP request as its own model call, more lets concurrent requests share one (as vLLM batches).
 */
public final class RemoteQAlignBench {

    private RemoteQAlignBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args optional: chains, steps, cap, requests, reps
     */
    public static void main(String[] args) {
        int chains = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int cap = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int requests = args.length > 3 ? Integer.parseInt(args[3]) : 48;
        int reps = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 64;
        LlamaOptions opts = LlamaOptions.builder().maxBatchSize(Math.max(chains, requests)).build();
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(cap);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            LlamaLanguageModel lm = own(open, LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts));
            LlamaRewardModel rm = own(open, LlamaRewardModel.load(EmbeddedModels.stories260kReward(), opts, true));
            Prompt prompt = lm.prompt("Once upon a time, there was a little dog named Max.");

            // 1. QAlign in process vs. through one server
            ModelServer server = own(open, ModelServer.builder()
                    .languageModel(own(open, LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts)))
                    .rewardModel(own(open, LlamaRewardModel.load(EmbeddedModels.stories260kReward(), opts, true))).threads(64)
                    .maxBatch(batch).start());
            RemoteLanguageModel rlm = own(open, RemoteLanguageModel.builder().endpoint(server.baseUrl().toString())
                    .tokenizer(EmbeddedModels.stories260k()).build());
            RemoteRewardModel rrm = own(open, RemoteRewardModel.builder().endpoint(server.baseUrl().toString())
                    .policyIds().build());
            System.out.printf("QAlign on stories260K: %d chains x %d steps, cap %d, %d reps (best of), server batch %d%n",
                    chains, steps, cap, reps, batch);
            double local = qalign(lm, rm, prompt, chains, steps, cfg, reps);
            double remote = qalign(rlm, rrm, prompt, chains, steps, cfg, reps);
            System.out.printf("  in process : %8.2f ms/step%n", local);
            System.out.printf("  via HTTP   : %8.2f ms/step (overhead %+.2f ms/step, %+.3f ms per chain-step)%n", remote,
                    remote - local, (remote - local) / chains);

            // 2. throughput of fresh generations: 1 vs 3 server instances
            List<ModelServer> fleet = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fleet.add(own(open, ModelServer.builder()
                        .languageModel(own(open, LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts)))
                        .threads(64).maxBatch(batch).start()));
            }
            List<Prompt> prompts = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                prompts.add(lm.prompt("Story number " + i + ": once upon a time"));
            }
            System.out.printf("Fresh generations: %d requests (12 prompts), cap %d, %d reps (best of)%n", requests,
                    cap, reps);
            double inProc = throughput(lm, prompts, requests, cfg, reps);
            System.out.printf("  in process (one batched call): %8.1f requests/s%n", inProc);
            for (int n : new int[] {1, 3}) {
                List<URI> urls = fleet.subList(0, n).stream().map(ModelServer::baseUrl).toList();
                try (RemoteLanguageModel f = RemoteLanguageModel.builder().endpoints(urls)
                        .tokenizer(EmbeddedModels.stories260k()).build()) {
                    System.out.printf("  %d server instance(s)         : %8.1f requests/s%n", n,
                            throughput(f, prompts, requests, cfg, reps));
                }
            }
            System.out.println("  cores available: " + Runtime.getRuntime().availableProcessors());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    System.err.println("close failed: " + e);
                }
            }
        }
    }

    private static <T extends AutoCloseable> T own(List<AutoCloseable> open, T t) {
        open.add(t);
        return t;
    }

    private static double qalign(LanguageModel lm, RewardModel rm, Prompt prompt, int chains, int steps,
                                 SamplingConfig cfg, int reps) {
        QAlignSampler s = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(1.0).steps(steps)
                .chainsPerPrompt(chains).sampling(cfg).build();
        s.run(prompt, new SplittableRandom(1)); // warm-up
        double best = Double.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            QAlignResult res = s.run(prompt, new SplittableRandom(100 + r));
            double ms = (System.nanoTime() - t0) / 1e6 / (steps + 1);
            best = Math.min(best, ms);
            if (res.acceptanceRate() < 0) {
                throw new IllegalStateException();
            }
        }
        return best;
    }

    private static double throughput(LanguageModel lm, List<Prompt> prompts, int requests, SamplingConfig cfg,
                                     int reps) {
        List<GenerationRequest> batch = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            batch.add(GenerationRequest.fresh(prompts.get(i % prompts.size()), 1000 + i));
        }
        lm.generate(batch, cfg); // warm-up
        double best = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            lm.generate(batch, cfg);
            best = Math.max(best, requests / ((System.nanoTime() - t0) / 1e9));
        }
        return best;
    }
}
