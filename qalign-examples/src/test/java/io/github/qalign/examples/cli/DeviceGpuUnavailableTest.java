package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code --device gpu} on a machine (or build) without a usable CUDA device: the command fails with exactly one line
 * on stderr naming the device and docs/gpu.md, not PyTorch's dispatcher dump. This build bundles the CPU-only libtorch,
 * so the GPU is never usable here.
 */
class DeviceGpuUnavailableTest {

    @Test
    void oneClearLine() {
        CliRun r = CliRun.run(new DjlModelFactory(), "sample", "--prompt", "Once upon a time", "--method", "bon",
                "--budget", "2", "--max-tokens", "4", "--seed", "1", "--no-progress", "--device", "gpu");
        assertThat(r.code()).isNotZero();
        String err = r.err().strip();
        assertThat(err.lines().count()).as(err).isEqualTo(1);
        assertThat(err).contains("gpu(0)").contains("not usable").contains("docs/gpu.md").hasSizeLessThan(400);
        assertThat(r.out()).isEmpty();
    }
}
