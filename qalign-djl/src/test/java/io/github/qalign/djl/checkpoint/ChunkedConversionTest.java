package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.DjlRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Converted tensors built chunk by chunk (tiny staging so a tensor spans many chunks, including a last partial one)
 * hold exactly the values of the whole-tensor conversion: BF16 to FLOAT32 equals the bit widening, F16 to FLOAT32 the
 * IEEE half values, and BF16/F32 to FLOAT16 the engine's rounding of the F32 values.
 */
class ChunkedConversionTest {

    @AfterEach
    void restore() {
        SafetensorsFile.stagingElements = 1 << 22;
    }

    @Test
    void chunkedEqualsWholeTensorConversion(@TempDir Path dir) {
        SplittableRandom g = new SplittableRandom(3);
        float[] v = new float[37 * 11];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (g.nextGaussian() * 3);
        }
        Path f = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("bf", "BF16", v, 37, 11).add("h", "F16", v, 37, 11).add("f", "F32", v, 37, 11)
                .write(f);
        SafetensorsFile.stagingElements = 50; // 4 rows per chunk: 10 chunks, the last with 1 row
        try (SafetensorsFile sf = SafetensorsFile.open(f); NDManager m = DjlRuntime.engine().newBaseManager()) {
            float[] bfWide = sf.readFloats("bf");
            float[] hWide = sf.readFloats("h");
            NDArray bf32 = sf.load("bf", m, DataType.FLOAT32);
            assertThat(bf32.getShape().getShape()).containsExactly(37, 11);
            assertThat(bf32.toFloatArray()).containsExactly(bfWide);
            assertThat(sf.load("h", m, DataType.FLOAT32).toFloatArray()).containsExactly(hWide);
            float[] expectBf16 = m.create(bfWide).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false)
                    .toFloatArray();
            NDArray bf16 = sf.load("bf", m, DataType.FLOAT16);
            assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(bf16.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(expectBf16);
            float[] expectF16 = m.create(v).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false)
                    .toFloatArray();
            assertThat(sf.load("f", m, DataType.FLOAT16).toType(DataType.FLOAT32, false).toFloatArray())
                    .containsExactly(expectF16);
            // the values really differ between the dtypes (the test is not comparing a thing with itself)
            assertThat(bfWide).isNotEqualTo(hWide);
        }
    }
}
