package io.github.qalign.bench;

import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Chain-like load for memory checks: {@code batch} chains; each step truncates a chain to a random prefix of its
 * state and decodes again up to a shared cap of (longest kept prefix + 1..4) tokens (at least one new token per
 * chain, more for chains cut shorter), one batched {@code generate} call advancing every chain, while the process
 * RSS ({@code /proc/self/status VmRSS}) and the number of arrays in the model's manager are sampled.
 */
public final class ChainMemory {

    private ChainMemory() {
    }

    /**
     * Measurements.
     *
     * @param steps              chain steps run
     * @param rssAfterWarmupKb   RSS after the first 10% of steps
     * @param rssMaxKb           largest RSS sampled afterwards
     * @param rssEndKb           RSS at the end
     * @param rssGrowthKb        {@code rssMaxKb - rssAfterWarmupKb}
     * @param managedArraysGrowth arrays held by the model's manager at the end minus after warm-up
     * @param samples            "steps:rssKb" samples
     */
    public record Result(long steps, long rssAfterWarmupKb, long rssMaxKb, long rssEndKb, long rssGrowthKb,
                         long managedArraysGrowth, List<String> samples) {
    }

    /**
     * Current VmRSS in kB (0 where /proc is unavailable).
     *
     * @return current VmRSS in kB (0 where /proc is unavailable)
     */
    public static long rssKb() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    /**
     * Runs the load.
     *
     * @param lm          the policy
     * @param steps       total chain steps (a multiple of {@code batch} is run)
     * @param batch       chains advanced per call
     * @param rng         every random draw
     * @param sampleEvery steps between RSS samples
     * @return the measurements
     */
    public static Result run(LlamaLanguageModel lm, int steps, int batch, RandomGenerator rng, int sampleEvery) {
        Prompt prompt = lm.prompt("");
        List<TokenIds> ys = new ArrayList<>();
        SamplingConfig init = SamplingConfig.defaults().withMaxCompletionTokens(32);
        List<GenerationRequest> fresh = new ArrayList<>();
        for (int c = 0; c < batch; c++) {
            fresh.add(GenerationRequest.fresh(prompt, rng.nextLong()));
        }
        for (Generation g : lm.generate(fresh, init)) {
            ys.add(g.completion());
        }
        long warm = -1;
        long warmArrays = 0;
        long max = 0;
        List<String> samples = new ArrayList<>();
        int done = 0;
        int nextSample = 0;
        int warmAt = Math.max(batch, steps / 10);
        while (done < steps) {
            int k = 1 + rng.nextInt(4);
            int cap = 0;
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int c = 0; c < batch; c++) {
                TokenIds y = ys.get(c);
                int i = y.length() > 100 ? rng.nextInt(50) : rng.nextInt(y.length() + 1);
                reqs.add(new GenerationRequest(prompt, y.prefix(i), rng.nextLong()));
                cap = Math.max(cap, i + k);
            }
            List<Generation> gs = lm.generate(reqs, SamplingConfig.defaults().withMaxCompletionTokens(cap));
            for (int c = 0; c < batch; c++) {
                TokenIds y = gs.get(c).completion();
                ys.set(c, y.isEmpty() ? TokenIds.of(lm.prompt("").ids().get(0)) : y);
            }
            done += batch;
            if (warm < 0 && done >= warmAt) {
                warm = rssKb();
                warmArrays = lm.model().manager().getManagedArrays().size();
            } else if (warm >= 0) {
                max = Math.max(max, rssKb());
            }
            if (done >= nextSample) {
                samples.add(done + ":" + rssKb());
                nextSample += sampleEvery;
            }
        }
        long end = rssKb();
        long arrays = lm.model().manager().getManagedArrays().size() - warmArrays;
        max = Math.max(max, end);
        return new Result(done, warm, max, end, max - warm, arrays, samples);
    }
}
