package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFileTest extends CheckpointTestSupport {

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * 0.5);
        }
        return a;
    }

    @Test
    void writerAndReaderRoundTripF32ExactlyThroughNdArrays() {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = random(r, 6 * 5);
        float[] b = random(r, 7);
        Path f = tmp.resolve("w.safetensors");
        new SafetensorsWriter().add("b.bias", b, 7).add("a.weight", a, 6, 5).metadata("format", "pt").write(f);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThat(st.names()).containsExactly("a.weight", "b.bias");
            assertThat(st.metadata()).containsEntry("format", "pt");
            TensorInfo ia = st.info("a.weight");
            assertThat(ia.dtype()).isEqualTo("F32");
            assertThat(ia.shape()).containsExactly(6, 5);
            assertThat(ia.byteLength()).isEqualTo(120);
            try (NDArray x = st.load("a.weight", manager, DataType.FLOAT32)) {
                assertThat(x.getShape()).isEqualTo(new Shape(6, 5));
                assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(x.toFloatArray()).containsExactly(a);
            }
            assertThat(st.readFloats("b.bias")).containsExactly(b);
        }
    }

    @Test
    void headerIsPaddedToEightBytesAndDataIsLaidOutInNameOrder() throws Exception {
        Path f = tmp.resolve("w.safetensors");
        new SafetensorsWriter().add("z", new float[] {1f}, 1).add("a", new float[] {2f, 3f}, 2).write(f);
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header.strip()).isEqualTo("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}");
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + (int) n, 12).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new float[] {data.getFloat(), data.getFloat(), data.getFloat()}).containsExactly(2f, 3f, 1f);
    }

    @Test
    void bf16IsWidenedInJavaBitExactly() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        short[] bits = new short[64];
        for (int i = 0; i < bits.length; i++) {
            int exp = 100 + r.nextInt(50);
            bits[i] = (short) ((r.nextInt(2) << 15) | (exp << 7) | r.nextInt(128));
        }
        bits[0] = 0;
        bits[1] = (short) 0x8000;
        bits[2] = (short) 0x3F80; // 1.0
        Path f = RawSafetensors.write(tmp.resolve("bf.safetensors"),
                "{\"x\":{\"dtype\":\"BF16\",\"shape\":[8,8],\"data_offsets\":[0,128]}}", RawSafetensors.u16(bits));
        try (SafetensorsFile st = SafetensorsFile.open(f); NDArray x = st.load("x", manager, DataType.FLOAT32)) {
            assertThat(x.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] got = x.toFloatArray();
            for (int i = 0; i < bits.length; i++) {
                assertThat(Float.floatToRawIntBits(got[i])).isEqualTo((bits[i] & 0xFFFF) << 16);
            }
            assertThat(got[2]).isEqualTo(1.0f);
        }
        try (SafetensorsFile st = SafetensorsFile.open(f); NDArray h = st.load("x", manager, DataType.FLOAT16);
             NDArray back = h.toType(DataType.FLOAT32, false); NDArray ref = st.load("x", manager, DataType.FLOAT32);
             NDArray refHalf = ref.toType(DataType.FLOAT16, false)) {
            assertThat(h.getDataType()).isEqualTo(DataType.FLOAT16);
            // Java rounding BF16 -> F16 equals the engine's own F32 -> F16 rounding of the widened values
            assertThat(h.toByteBuffer().order(ByteOrder.nativeOrder()))
                    .isEqualTo(refHalf.toByteBuffer().order(ByteOrder.nativeOrder()));
            assertThat(back.toFloatArray()).hasSize(64);
        }
    }

    @Test
    void javaHalfRoundingMatchesTheEngineIncludingSubnormalsTiesAndOverflow() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 20000;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            switch (i % 4) {
                case 0 -> v[i] = (float) r.nextGaussian();
                case 1 -> v[i] = Float.intBitsToFloat(r.nextInt()); // any bit pattern incl. NaN/inf/huge/tiny
                case 2 -> v[i] = (float) (r.nextGaussian() * 1e-5); // around the F16 subnormal range
                default -> {
                    // exact ties between two F16 values: 11 significant bits + a half ulp
                    int bits = (r.nextInt(30) + 103) << 23 | (r.nextInt(1 << 10) << 13) | 0x1000;
                    v[i] = Float.intBitsToFloat(bits);
                }
            }
        }
        v[0] = 65504f;
        v[1] = 65520f; // rounds to infinity
        v[2] = 0x1p-25f; // tie to zero
        v[3] = 0x1.8p-25f;
        try (NDArray a = manager.create(v); NDArray h = a.toType(DataType.FLOAT16, false);
             NDArray widened = h.toType(DataType.FLOAT32, false)) {
            ByteBuffer engine = h.toByteBuffer().order(ByteOrder.nativeOrder());
            float[] engineWidened = widened.toFloatArray();
            for (int i = 0; i < n; i++) {
                short e = engine.getShort(2 * i);
                short j = HalfFloats.floatToF16(v[i]);
                if (Float.isNaN(v[i])) {
                    assertThat(j & 0x7C00).isEqualTo(0x7C00);
                    assertThat(j & 0x3FF).isNotZero();
                } else {
                    assertThat(j).as("value %s (bits %08x)", v[i], Float.floatToRawIntBits(v[i])).isEqualTo(e);
                    assertThat(HalfFloats.f16ToFloat(j)).isEqualTo(engineWidened[i]);
                }
            }
        }
    }

    @Test
    void sameTypeLoadIsAPrivateMappingSoInPlaceOpsAreSafeAndDoNotTouchTheFile() throws Exception {
        float[] a = {1, 2, 3, 4, 5, 6};
        Path f = tmp.resolve("m.safetensors");
        new SafetensorsWriter().add("w", a, 2, 3).write(f);
        byte[] before = Files.readAllBytes(f);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            try (NDArray x = st.load("w", manager, DataType.FLOAT32)) {
                x.addi(100f);
                x.muli(2f);
                assertThat(x.toFloatArray()).containsExactly(202, 204, 206, 208, 210, 212);
            }
            try (NDArray y = st.load("w", manager, DataType.FLOAT32)) {
                assertThat(y.toFloatArray()).containsExactly(a);
            }
        }
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
    }

    @Test
    void withoutAWritableFileDataIsCopiedAndInPlaceOpsAreStillSafe() throws Exception {
        float[] a = {1, 2, 3, 4};
        Path f = tmp.resolve("ro.safetensors");
        new SafetensorsWriter().add("w", a, 4).write(f);
        byte[] before = Files.readAllBytes(f);
        SafetensorsFile.allowPrivateMapping = false;
        try (SafetensorsFile st = SafetensorsFile.open(f); NDArray x = st.load("w", manager, DataType.FLOAT32)) {
            x.addi(1f);
            assertThat(x.toFloatArray()).containsExactly(2, 3, 4, 5);
            assertThat(st.readFloats("w")).containsExactly(a);
        } finally {
            SafetensorsFile.allowPrivateMapping = true;
        }
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
    }

    @Test
    void arraysStayValidAfterTheFileIsClosed() {
        Path f = tmp.resolve("c.safetensors");
        new SafetensorsWriter().add("w", new float[] {7, 8}, 2).write(f);
        NDArray x;
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            x = st.load("w", manager, DataType.FLOAT32);
        }
        try (NDArray y = x.add(1f)) {
            assertThat(y.toFloatArray()).containsExactly(8, 9);
        }
        x.close();
        SafetensorsFile closed = SafetensorsFile.open(f);
        closed.close();
        assertThatThrownBy(() -> closed.load("w", manager, DataType.FLOAT32))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void readsTensorsBeyondTwoGibibytesInASparseFile() throws Exception {
        long gap = 3L << 30; // 3 GiB of holes before the tensor
        float[] v = {1.5f, -2.25f, 3.125f, 4f};
        String header = "{\"small\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"far\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + gap + "," + (gap + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("big.safetensors");
        RawSafetensors.write(f, h.length, h, RawSafetensors.f32(9f));
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(8 + h.length + gap);
            raf.write(RawSafetensors.f32(v));
        }
        assertThat(Files.size(f)).isGreaterThan(3L << 30);
        try (SafetensorsFile st = SafetensorsFile.open(f);
             NDArray far = st.load("far", manager, DataType.FLOAT32);
             NDArray small = st.load("small", manager, DataType.FLOAT16)) {
            assertThat(far.toFloatArray()).containsExactly(v);
            assertThat(small.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(9f);
        }
    }

    @Test
    void tensorsLargerThanTheBufferLimitAreAssembledFromRowChunks() {
        SplittableRandom r = new SplittableRandom(4);
        float[] a = random(r, 10 * 8);
        Path f = tmp.resolve("chunk.safetensors");
        new SafetensorsWriter().add("w", a, 10, 8).add("h", "BF16", a, 10, 8).write(f);
        long old = SafetensorsFile.maxChunkBytes;
        SafetensorsFile.maxChunkBytes = 3 * 8 * 4; // three rows per chunk -> 4 chunks
        try (SafetensorsFile st = SafetensorsFile.open(f);
             NDArray w = st.load("w", manager, DataType.FLOAT32);
             NDArray h = st.load("h", manager, DataType.FLOAT32)) {
            assertThat(w.getShape()).isEqualTo(new Shape(10, 8));
            assertThat(w.toFloatArray()).containsExactly(a);
            float[] hb = h.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(hb[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(a[i])));
                assertThat(Math.abs(hb[i] - a[i])).isLessThanOrEqualTo(Math.abs(a[i]) / 256f);
            }
        } finally {
            SafetensorsFile.maxChunkBytes = old;
        }
    }

    @Test
    void f32CanBeLoadedAsF16AndF16AsF32() {
        float[] a = {0.5f, -1.25f, 3f, 1e-3f, 70000f};
        Path f = tmp.resolve("t.safetensors");
        new SafetensorsWriter().add("a", a, 5).add("h", "F16", a, 5).write(f);
        try (SafetensorsFile st = SafetensorsFile.open(f);
             NDArray h = st.load("a", manager, DataType.FLOAT16);
             NDArray hh = st.load("h", manager, DataType.FLOAT16);
             NDArray w = st.load("h", manager, DataType.FLOAT32)) {
            assertThat(h.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(h.toByteBuffer()).isEqualTo(hh.toByteBuffer());
            float[] back = w.toFloatArray();
            assertThat(back[0]).isEqualTo(0.5f);
            assertThat(back[1]).isEqualTo(-1.25f);
            assertThat(back[2]).isEqualTo(3f);
            assertThat(back[3]).isCloseTo(1e-3f, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(back[4]).isEqualTo(Float.POSITIVE_INFINITY);
        }
    }

    @Test
    void scalarAndEmptyTensorsLoad() {
        Path f = tmp.resolve("z.safetensors");
        new SafetensorsWriter().add("empty", new float[0], 0, 4).add("scalar", new float[] {5f})
                .add("emptyBf16", "BF16", new float[0], 3, 0).write(f);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                try (NDArray e = st.load("empty", manager, t); NDArray s = st.load("scalar", manager, t);
                     NDArray b = st.load("emptyBf16", manager, t)) {
                    assertThat(e.getShape()).isEqualTo(new Shape(0, 4));
                    assertThat(b.getShape()).isEqualTo(new Shape(3, 0));
                    assertThat(s.getShape()).isEqualTo(new Shape());
                    assertThat(s.toType(DataType.FLOAT32, false).getFloat()).isEqualTo(5f);
                }
            }
        }
    }

    @Test
    void rejectsTargetTypesOtherThanFloat32AndFloat16() {
        Path f = tmp.resolve("t.safetensors");
        new SafetensorsWriter().add("a", new float[] {1}, 1).write(f);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThatThrownBy(() -> st.load("a", manager, DataType.BFLOAT16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FLOAT32 or FLOAT16");
            assertThatThrownBy(() -> st.load("a", manager, DataType.INT32))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
