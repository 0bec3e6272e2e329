package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writer → reader round trips over random shapes (rank 0–3, empty dimensions included), dtypes and values: F32 is
 * exact; BF16 and F16 values come back representable in their format and within half a unit in the last place of
 * the original (i.e. correctly rounded to nearest), identical through {@code readFloats} and {@code load}.
 */
class SafetensorsRoundTripPropertiesTest {

    private static NDManager manager;

    @BeforeContainer
    static void start() {
        DjlRuntime.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterContainer
    static void stop() {
        manager.close();
    }

    @Provide
    Arbitrary<List<Integer>> shapes() {
        return Arbitraries.integers().between(0, 6).list().ofMinSize(0).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Float> values() {
        return Arbitraries.oneOf(
                Arbitraries.floats().between(-4f, 4f).ofScale(6),
                Arbitraries.floats().between(-70000f, 70000f),
                Arbitraries.floats().between(-1e-3f, 1e-3f).ofScale(9),
                Arbitraries.of(0f, -0f, 1f, -1f, 65504f, 1e-8f));
    }

    @Property(tries = 150, seed = "20261127")
    void roundTrips(@ForAll("shapes") List<Integer> dims, @ForAll("values") float base,
                    @ForAll("dtypes") String dtype) throws IOException {
        long[] shape = dims.stream().mapToLong(Integer::longValue).toArray();
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = base * (1 + 0.37f * i) - 0.11f * i;
        }
        Path dir = Files.createTempDirectory("st-prop");
        Path f = dir.resolve("p.safetensors");
        try {
            new SafetensorsWriter().add("t", dtype, v, shape).write(f);
            try (SafetensorsFile st = SafetensorsFile.open(f);
                 NDArray x = st.load("t", manager, DataType.FLOAT32)) {
                assertThat(x.getShape()).isEqualTo(new Shape(shape));
                float[] got = x.toFloatArray();
                assertThat(st.readFloats("t")).containsExactly(got);
                for (int i = 0; i < n; i++) {
                    switch (dtype) {
                        case "F32" -> assertThat(got[i]).isEqualTo(v[i]);
                        case "BF16" -> {
                            assertThat(Float.floatToRawIntBits(got[i]) & 0xFFFF).isZero();
                            float ulp = Math.ulp(got[i]) * 65536f;
                            assertThat((double) Math.abs(got[i] - v[i])).isLessThanOrEqualTo(ulp / 2.0);
                        }
                        default -> {
                            assertThat(HalfFloats.f16ToFloat(HalfFloats.floatToF16(got[i]))).isEqualTo(got[i]);
                            double spacing = Math.abs(got[i]) < 0x1p-14f ? 0x1p-24 : Math.ulp(got[i]) * 8192.0;
                            if (Math.abs(v[i]) <= 65504f) {
                                assertThat((double) Math.abs(got[i] - v[i])).isLessThanOrEqualTo(spacing / 2.0);
                            } else {
                                assertThat(Math.abs(got[i])).isIn(65504f, Float.POSITIVE_INFINITY);
                            }
                        }
                    }
                }
            }
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    @Provide
    Arbitrary<String> dtypes() {
        return Arbitraries.of("F32", "F16", "BF16");
    }
}
