package io.github.qalign.djl.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes float tensors to a {@code .safetensors} file as F32, F16 or BF16 (rounded to nearest even).
 *
 * <p>The output is deterministic: tensors are laid out in name order, the header JSON is compact with keys in that
 * order ({@code __metadata__} first) and padded with spaces to a multiple of 8 bytes, so that every tensor starts
 * 8-byte aligned relative to the data section. The file is written to a temporary sibling and moved into place.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Entry> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new TreeMap<>();

    private record Entry(String dtype, float[] data, long[] shape) {
    }

    /** Creates an empty writer. */
    public SafetensorsWriter() {
    }

    /**
     * Adds an F32 tensor.
     *
     * @param name  tensor name
     * @param data  row-major values (not copied: do not modify before {@link #write})
     * @param shape dimensions; their product must equal {@code data.length}
     * @return this writer
     */
    public SafetensorsWriter add(String name, float[] data, long... shape) {
        return add(name, "F32", data, shape);
    }

    /**
     * Adds a tensor stored as {@code dtype}.
     *
     * @param name  tensor name
     * @param dtype {@code F32}, {@code F16} or {@code BF16}
     * @param data  row-major values (not copied: do not modify before {@link #write})
     * @param shape dimensions; their product must equal {@code data.length}
     * @return this writer
     * @throws IllegalArgumentException on a duplicate name, unsupported dtype or shape/length mismatch
     */
    public SafetensorsWriter add(String name, String dtype, float[] data, long... shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new IllegalArgumentException("dtype must be F32, F16 or BF16, got " + dtype);
        }
        if ("__metadata__".equals(name) || tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate or reserved tensor name: " + name);
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " has " + n
                    + " elements but " + data.length + " values were given");
        }
        tensors.put(name, new Entry(dtype, data, shape.clone()));
        return this;
    }

    /**
     * Adds a {@code __metadata__} entry.
     *
     * @param key   key
     * @param value value
     * @return this writer
     */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Writes the file (atomically replacing an existing one).
     *
     * @param file destination
     * @throws UncheckedIOException on an I/O error
     */
    public void write(Path file) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            long bytes = (long) t.data().length * SafetensorsFile.elementSize(t.dtype());
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", t.dtype());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = node.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = parent.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + System.nanoTime() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                len.flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(headerBytes));
                for (Entry t : tensors.values()) {
                    writeTensor(ch, t);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void writeTensor(FileChannel ch, Entry t) throws IOException {
        int elem = SafetensorsFile.elementSize(t.dtype());
        float[] data = t.data();
        int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * elem).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < data.length; start += chunk) {
            buf.clear();
            int end = Math.min(data.length, start + chunk);
            for (int i = start; i < end; i++) {
                switch (t.dtype()) {
                    case "F32" -> buf.putFloat(data[i]);
                    case "F16" -> buf.putShort(HalfFloats.floatToF16(data[i]));
                    default -> buf.putShort(HalfFloats.floatToBf16(data[i]));
                }
            }
            buf.flip();
            writeFully(ch, buf);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
