package io.github.qalign.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure-Java reader of {@code score.weight} against safetensors files written byte by byte here. */
class ScoreHeadTest {

    @TempDir
    Path dir;

    /** Writes a safetensors file: 8-byte little-endian header length, the JSON header, then the data. */
    static void write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    @Test
    void readsTheRequestedRowOfAnF32HeadAfterOtherTensors() throws IOException {
        byte[] other = f32(9, 9);
        byte[] score = f32(1.5f, -2f, 0.25f, 7f, 8f, 9f);
        byte[] data = new byte[other.length + score.length];
        System.arraycopy(other, 0, data, 0, other.length);
        System.arraycopy(score, 0, data, other.length, score.length);
        write(dir.resolve("model.safetensors"), "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"score.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}", data);
        assertThat(ScoreHead.read(dir, 0).weights()).containsExactly(1.5f, -2f, 0.25f);
        assertThat(ScoreHead.read(dir, 1).weights()).containsExactly(7f, 8f, 9f);
        assertThat(ScoreHead.read(dir, 0).apply(new double[] {2, 1, 4})).isEqualTo(3 - 2 + 1.0);
    }

    @Test
    void readsF16AndBf16() throws IOException {
        // 1.5 = 0x3E00 (F16), 0x3FC0 (BF16); -2 = 0xC000 (both); 0.25 = 0x3400 (F16), 0x3E80 (BF16)
        ByteBuffer f16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        f16.putShort((short) 0x3E00).putShort((short) 0xC000).putShort((short) 0x3400);
        Path a = dir.resolve("f16.safetensors");
        write(a, "{\"score.weight\":{\"dtype\":\"F16\",\"shape\":[1,3],\"data_offsets\":[0,6]}}", f16.array());
        assertThat(ScoreHead.read(a, 0).weights()).containsExactly(1.5f, -2f, 0.25f);
        ByteBuffer bf16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        bf16.putShort((short) 0x3FC0).putShort((short) 0xC000).putShort((short) 0x3E80);
        Path b = dir.resolve("bf16.safetensors");
        write(b, "{\"score.weight\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[0,6]}}", bf16.array());
        assertThat(ScoreHead.read(b, 0).weights()).containsExactly(1.5f, -2f, 0.25f);
        assertThat(ScoreHead.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(ScoreHead.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
    }

    @Test
    void followsTheShardIndex() throws IOException {
        write(dir.resolve("model-00002-of-00002.safetensors"),
                "{\"score.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", f32(3, 4));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":8},\"weight_map\":{\"score.weight\":\"model-00002-of-00002.safetensors\"}}");
        assertThat(ScoreHead.read(dir, 0).weights()).containsExactly(3f, 4f);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"score.weight\":\"../../etc/passwd\"}}");
        assertThatThrownBy(() -> ScoreHead.read(dir, 0)).hasMessageContaining("must be a file name");
    }

    @Test
    void malformedFilesGetOneClearErrorNamingTheFile() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining(f.toString()).hasMessageContaining("too short");
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).putLong(0);
        Files.write(f, huge.array());
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining("header length");
        write(f, "{\"lm_head.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}", f32(1));
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining("no tensor 'score.weight'");
        write(f, "{\"score.weight\":{\"dtype\":\"I8\",\"shape\":[1,4],\"data_offsets\":[0,4]}}", new byte[4]);
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining("dtype 'I8'");
        write(f, "{\"score.weight\":{\"dtype\":\"F32\",\"shape\":[1,4],\"data_offsets\":[0,16]}}", f32(1, 2));
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining("do not hold 1 x 4 F32 values");
        write(f, "{\"score.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", f32(1, Float.NaN));
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining("'score.weight'[0, 1] is NaN");
        write(f, "{\"score.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", f32(1, 2));
        assertThatThrownBy(() -> ScoreHead.read(f, 1)).hasMessageContaining("label 1 requested, but 'score.weight' has 1 rows");
        write(f, "not json at all", new byte[0]);
        assertThatThrownBy(() -> ScoreHead.read(f, 0)).hasMessageContaining("not valid JSON");
    }
}
