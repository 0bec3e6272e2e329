package io.github.qalign.djl.llama;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device sampler inside {@link LlamaLanguageModel}'s decode loop: with {@link LlamaOptions.Sampler#DEVICE} the
 * embedded stories260K model gives exactly the completions of {@link LlamaOptions.Sampler#JAVA} for the same seeds
 * (same distribution, same uniform per sampled token from each request's own stream), for plain, tempered, top-k/top-p
 * and greedy sampling, with rows finishing at different steps (eos) and prefixes.
 */
class DeviceSamplingLanguageModelTest {

    static List<Generation> run(LlamaOptions.Sampler sampler, SamplingConfig config) {
        LlamaOptions options = LlamaOptions.builder().maxBatchSize(8).contextLength(128).sampler(sampler).build();
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), options)) {
            Prompt p = lm.prompt("Once upon a time");
            Prompt q = lm.prompt("The cat");
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                reqs.add(i % 3 == 2 ? new GenerationRequest(q, TokenIds.of(lm.prompt(" sat").ids().toArray()), i)
                        : GenerationRequest.fresh(i % 2 == 0 ? p : q, 1000 + i));
            }
            return lm.generate(reqs, config);
        }
    }

    @Test
    void deviceAndJavaSamplersGiveTheSameCompletions() {
        SamplingConfig base = SamplingConfig.defaults().withMaxCompletionTokens(60);
        for (SamplingConfig c : List.of(base, base.withTemperature(0.8).withTopP(0.9), base.withTopK(10),
                base.withTemperature(0))) {
            List<Generation> java = run(LlamaOptions.Sampler.JAVA, c);
            List<Generation> device = run(LlamaOptions.Sampler.DEVICE, c);
            for (int i = 0; i < java.size(); i++) {
                assertThat(device.get(i).completion()).as("%s request %d", c, i)
                        .isEqualTo(java.get(i).completion());
                assertThat(device.get(i).finishReason()).isEqualTo(java.get(i).finishReason());
            }
            // the runs really sample: requests with different seeds differ (except greedy)
            if (!c.isGreedy()) {
                assertThat(java.stream().map(Generation::completion).distinct().count()).isGreaterThan(6);
            }
        }
    }

    @Test
    void autoSamplesOnTheDeviceOnAGpuOrUnderTruncationAndInJavaOtherwise() {
        SamplingConfig plain = SamplingConfig.defaults();
        assertThat(LlamaOptions.defaults().samplesOnDevice(plain)).isFalse();
        assertThat(LlamaOptions.defaults().samplesOnDevice(plain.withTopP(0.9))).isTrue();
        assertThat(LlamaOptions.defaults().samplesOnDevice(plain.withTopK(40))).isTrue();
        assertThat(LlamaOptions.defaults().samplesOnDevice(plain.withTopP(1.0))).isFalse();
        assertThat(LlamaOptions.builder().device(ai.djl.Device.gpu()).build().samplesOnDevice(plain)).isTrue();
        assertThat(LlamaOptions.builder().device(ai.djl.Device.gpu()).sampler(LlamaOptions.Sampler.JAVA).build()
                .samplesOnDevice(plain.withTopK(3))).isFalse();
        assertThat(LlamaOptions.builder().sampler(LlamaOptions.Sampler.DEVICE).build().samplesOnDevice(plain))
                .isTrue();
    }
}
