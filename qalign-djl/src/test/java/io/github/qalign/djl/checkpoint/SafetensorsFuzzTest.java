package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomly corrupted safetensors files (flipped bytes in the length and header, edited numbers in the JSON,
 * truncation) either load correctly or fail with a CheckpointException; nothing else escapes and the JVM survives.
 */
class SafetensorsFuzzTest extends CheckpointTestSupport {

    @Test
    void corruptedFilesFailCleanly() throws Exception {
        Path good = tmp.resolve("good.safetensors");
        new SafetensorsWriter().add("a", new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
                .add("b", "F16", new float[] {1, 2}, 2)
                .add("c", "BF16", new float[] {3, 4, 5}, 3, 1).write(good);
        byte[] original = Files.readAllBytes(good);
        int headerLen = (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SplittableRandom r = new SplittableRandom(99);
        int clean = 0;
        int rejected = 0;
        for (int i = 0; i < 600; i++) {
            byte[] b = original.clone();
            switch (r.nextInt(4)) {
                case 0 -> b[r.nextInt(8)] = (byte) r.nextInt(256);
                case 1 -> b[8 + r.nextInt(headerLen)] = (byte) r.nextInt(32, 127);
                case 2 -> {
                    // replace one digit of the header JSON by another digit or a minus sign
                    String h = new String(b, 8, headerLen, StandardCharsets.UTF_8);
                    int[] digits = h.chars().toArray();
                    int pos;
                    do {
                        pos = r.nextInt(digits.length);
                    } while (!Character.isDigit(digits[pos]));
                    b[8 + pos] = (byte) "0123456789-".charAt(r.nextInt(11));
                }
                default -> b = Arrays.copyOf(b, r.nextInt(b.length));
            }
            Path f = Files.write(tmp.resolve("fuzz" + i + ".safetensors"), b);
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                for (String name : st.names()) {
                    for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                        try (NDArray x = st.load(name, manager, t)) {
                            assertThat(x.getShape().getShape()).containsExactly(st.info(name).shape());
                        } catch (CheckpointException e) {
                            assertThat(e.getMessage()).contains(f.toString());
                        }
                    }
                }
                clean++;
            } catch (CheckpointException e) {
                assertThat(e.getMessage()).contains(f.toString());
                rejected++;
            }
            Files.delete(f);
        }
        System.out.println("safetensors fuzz: " + rejected + " rejected, " + clean + " opened");
        assertThat(rejected).isGreaterThan(100);
        assertThat(clean + rejected).isEqualTo(600);
    }
}
