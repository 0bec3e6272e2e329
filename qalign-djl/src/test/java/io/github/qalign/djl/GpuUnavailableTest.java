package io.github.qalign.djl;

import ai.djl.Device;
import ai.djl.engine.StandardCapabilities;
import io.github.qalign.djl.checkpoint.TinyCheckpoint;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Asking for a GPU the engine cannot use fails with ONE short line naming the device and pointing to docs/gpu.md,
 * before any weights are read, from every entry point (this build bundles the CPU-only libtorch, so no GPU is usable;
 * the test checks that premise first).
 */
class GpuUnavailableTest {

    static void assertOneLine(Throwable t) {
        assertThat(t).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.getMessage()).contains("device gpu(").contains("not usable").contains("docs/gpu.md")
                .doesNotContain("\n").hasSizeLessThan(300);
    }

    @Test
    void theBundledEngineIsCpuOnly() {
        assertThat(DjlRuntime.engine().hasCapability(StandardCapabilities.CUDA)).isFalse();
        assertThat(DjlRuntime.checkDevice(Device.cpu())).isEqualTo(Device.cpu());
        assertThat(DjlRuntime.checkDevice(null)).isEqualTo(Device.cpu());
    }

    @Test
    void everyEntryPointFailsWithOneLine(@TempDir Path dir) throws Exception {
        TinyCheckpoint.write(dir, TinyCheckpoint.rewardConfig(), 1, 1, "F32");
        LlamaOptions gpu = LlamaOptions.builder().device(Device.gpu()).build();
        assertThatThrownBy(() -> DjlRuntime.checkDevice(Device.gpu(1))).satisfies(GpuUnavailableTest::assertOneLine)
                .hasMessageContaining("gpu(1)");
        assertThatThrownBy(() -> LlamaLanguageModel.load(EmbeddedModels.stories260k(), gpu))
                .satisfies(GpuUnavailableTest::assertOneLine);
        assertThatThrownBy(() -> LlamaRewardModel.load(dir, gpu, true))
                .satisfies(GpuUnavailableTest::assertOneLine);
        assertThatThrownBy(() -> LlamaModel.create(
                new LlamaConfig(LlamaConfig.CAUSAL_LM, 8, 4, 8, 1, 2, 1, 2, 16, 1e-5, 10000.0, null, true, 0, 1,
                        new int[] {2}, -1), java.util.Map.of(), Device.gpu(), ai.djl.ndarray.types.DataType.FLOAT32))
                .satisfies(GpuUnavailableTest::assertOneLine);
    }
}
