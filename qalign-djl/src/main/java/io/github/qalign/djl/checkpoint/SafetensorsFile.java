package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.djl.DjlRuntime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A read-only view of one {@code .safetensors} file: an 8-byte little-endian header length, a JSON header, then the
 * raw tensor data.
 *
 * <p>The header is fully validated on {@link #open(Path)} (offsets in range, no overlaps, byte lengths matching
 * shape × dtype), so a malformed file fails with a {@link CheckpointException} naming the file and tensor instead of
 * crashing the JVM later. Tensor data is memory-mapped per tensor at {@code long} offsets: files and shards larger
 * than 2 GiB work, and no tensor is ever read into a heap {@code byte[]}. When the stored dtype equals the requested
 * one and the file is writable, a {@link FileChannel.MapMode#PRIVATE} (copy-on-write) mapping is handed to the
 * engine without a copy, so in-place NDArray operations are safe and never reach the file; otherwise (read-only
 * file, dtype conversion) the data is converted into a fresh direct buffer. A READ_ONLY mapping is never given to
 * the engine (an in-place op on it would crash the JVM). A converted tensor (BF16 or F16 to FLOAT32, BF16 or F32 to
 * FLOAT16) is built tensor by tensor and chunk by chunk on the target manager's device: the destination array is
 * allocated once in the target dtype, and each chunk of at most 2^22 elements (whole rows) is widened to
 * F32 in Java (BF16 to F32 is exact: the bits shifted left by 16) into one small reused staging buffer, copied to the
 * device, rounded there to the target dtype (round-to-nearest-even) and written into its rows. So loading never holds
 * more than the model in its target dtype plus one chunk, never a whole tensor (or model) in F32, and no array of
 * DJL's BFLOAT16 type is ever created (the PyTorch engine of DJL cannot hold one: it terminates the JVM).
 *
 * <p>Instances are thread-safe for concurrent {@link #load} calls. Arrays already loaded stay valid after
 * {@link #close()}.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest header accepted (the safetensors format caps it at 100 MB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Largest single buffer handed to the engine; larger tensors are built from row chunks. */
    static volatile long maxChunkBytes = Integer.MAX_VALUE - 64;

    /** Tests switch this off to exercise the copying path that read-only files take. */
    static volatile boolean allowPrivateMapping = true;

    /** Reused conversion buffers (see {@link #takeBuffers()}); guarded by {@code privateLock}. */
    private ByteBuffer[] spare;

    /** Elements per conversion chunk (16 MiB of F32 staging); tests lower it. */
    static volatile int stagingElements = 1 << 22;

static volatile boolean chunkedConversion = !Boolean.getBoolean("qalign.safetensors.wholeTensorConversion");

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Object privateLock = new Object();
    private FileChannel privateChannel;
    private boolean privateUnavailable;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @param file the {@code .safetensors} file
     * @return the open file (close it when done)
     * @throws CheckpointException if the file is missing, truncated or its header is malformed or inconsistent
     */
    public static SafetensorsFile open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "safetensors file not found");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot open safetensors file: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(file, "truncated safetensors file: " + size
                        + " bytes, at least 8 are needed for the header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0, file);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > size - 8) {
                throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLen)
                        + " is impossible for a file of " + size + " bytes (truncated or not a safetensors file)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(file, "header length " + headerLen + " exceeds the "
                        + MAX_HEADER_BYTES + "-byte limit of the safetensors format");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(channel, headerBuf, 8, file);
            String headerText = new String(headerBuf.array(), StandardCharsets.UTF_8);
            long dataSize = size - 8 - headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, headerText, dataSize, metadata);
            return new SafetensorsFile(file, channel, 8 + headerLen, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException(file, null, "cannot read safetensors file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException(file, "unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path file, String headerText, long dataSize,
                                                       Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new CheckpointException(file, null, "corrupt safetensors header JSON"
                    + (loc == null ? "" : " at column " + loc.getColumnNr()), null);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, "safetensors header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode node = e.getValue();
            if ("__metadata__".equals(name)) {
                if (!node.isObject()) {
                    throw new CheckpointException(file, "__metadata__ is not a JSON object");
                }
                node.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseEntry(file, name, node, dataSize));
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.removeIf(t -> t.byteLength() == 0);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo a = byOffset.get(i - 1);
            TensorInfo b = byOffset.get(i);
            if (b.begin() < a.end()) {
                throw new CheckpointException(file, b.name(), "data [" + b.begin() + ", " + b.end()
                        + ") overlaps tensor '" + a.name() + "' [" + a.begin() + ", " + a.end() + ")", null);
            }
        }
        return tensors;
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw new CheckpointException(file, name, "header entry is not a JSON object", null);
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointException(file, name, "missing or non-string 'dtype'", null);
        }
        String dtype = dtypeNode.asText();
        int elemSize = elementSize(dtype);
        if (elemSize < 0) {
            throw new CheckpointException(file, name, "unknown dtype " + CheckpointFiles.quote(dtype), null);
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new CheckpointException(file, name, "missing or non-array 'shape'", null);
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointException(file, name, "invalid shape (expected non-negative integers), got "
                        + CheckpointFiles.describe(shapeNode), null);
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber() || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw new CheckpointException(file, name, "missing or invalid 'data_offsets': "
                    + CheckpointFiles.describe(offsets), null);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new CheckpointException(file, name, "data_offsets [" + begin + ", " + end
                    + "] out of range: the data section has " + dataSize + " bytes (truncated file?)", null);
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), (long) elemSize);
        } catch (ArithmeticException ex) {
            throw new CheckpointException(file, name, "shape " + shapeNode + " overflows", ex);
        }
        if (expected != info.byteLength()) {
            throw new CheckpointException(file, name, "byte length " + info.byteLength() + " does not match shape "
                    + shapeNode + " x " + dtype + " (" + expected + " bytes)", null);
        }
        return info;
    }

    /**
     * Size in bytes of one element of a safetensors dtype.
     *
     * @param dtype the safetensors dtype string
     * @return the size, or -1 for an unknown dtype
     */
    static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    /**
     * The file this view reads.
     *
     * @return the path
     */
    public Path path() {
        return file;
    }

    /**
     * Tensor names in header order.
     *
     * @return an unmodifiable set
     */
    public Set<String> names() {
        return tensors.keySet();
    }

    /**
     * The header entry of a tensor.
     *
     * @param name tensor name
     * @return its info
     * @throws CheckpointException if there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(file, name, "no such tensor in this file", null);
        }
        return info;
    }

    /**
     * The {@code __metadata__} string map of the header.
     *
     * @return an unmodifiable map (empty when absent)
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Loads a tensor as an NDArray of the requested type.
     *
     * @param name    tensor name
     * @param manager the manager that will own the array
     * @param target  {@link DataType#FLOAT32} or {@link DataType#FLOAT16}
     * @return a new array (zero-copy over a private mapping when the stored dtype equals {@code target})
     * @throws CheckpointException      if the tensor is missing, has an unsupported dtype or cannot be read
     * @throws IllegalArgumentException if {@code target} is neither FLOAT32 nor FLOAT16
     */
    public NDArray load(String name, NDManager manager, DataType target) {
        checkTarget(target);
        TensorInfo info = info(name);
        String dtype = info.dtype();
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new CheckpointException(file, name, "dtype " + dtype
                    + " is not supported (supported: F32, F16, BF16)", null);
        }
        DjlRuntime.engine();
        boolean convert = !(dtype.equals("F32") && target == DataType.FLOAT32)
                && !(dtype.equals("F16") && target == DataType.FLOAT16);
        if (convert && info.shape().length > 0) {
            return loadConverted(info, manager, target);
        }
        if (target == DataType.FLOAT16 && !dtype.equals("F16")) {
            // F32/BF16 -> F16: the engine rounds (round-to-nearest-even, several times faster than Java)
            try (NDManager scratch = manager.newSubManager()) {
                NDArray wide = loadAs(info, scratch, DataType.FLOAT32);
                NDArray half = wide.toType(DataType.FLOAT16, false);
                half.attach(manager);
                return half;
            }
        }
        return loadAs(info, manager, target);
    }

    /**
     * A converted tensor, built chunk by chunk in a destination array of the target dtype on the manager's device (see
     * the class comment).
     */
    private NDArray loadConverted(TensorInfo info, NDManager manager, DataType target) {
        String name = info.name();
        long[] shape = info.shape();
        long rowElems = info.elementCount() / Math.max(1, shape[0]);
        if (shape[0] == 0 || rowElems == 0) {
            return manager.zeros(new Shape(shape), target);
        }
        long rowsPerChunk = Math.max(1, stagingElements / rowElems);
        if (rowElems * 4 > maxChunkBytes) {
            throw new CheckpointException(file, name, "a single row of " + rowElems * 4
                    + " bytes exceeds the " + maxChunkBytes + "-byte buffer limit", null);
        }
        int srcSize = elementSize(info.dtype());
        NDArray out = manager.create(new Shape(shape), target);
        ByteBuffer[] buffers = takeBuffers(Math.toIntExact(Math.min(shape[0], rowsPerChunk) * rowElems));
        try {
            ByteBuffer raw = buffers[0];
            ByteBuffer staging = buffers[1];
            for (long row = 0; row < shape[0]; row += rowsPerChunk) {
                long rows = Math.min(rowsPerChunk, shape[0] - row);
                long[] partShape = shape.clone();
                partShape[0] = rows;
                widen(info, row * rowElems, rows * rowElems, srcSize, raw, staging);
                try (NDManager scratch = manager.newSubManager()) {
                    // create() copies the staging buffer to the device (or, on the CPU, may wrap it: set() below
                    // copies the values into out before the buffer is refilled)
                    NDArray chunk = scratch.create(staging, new Shape(partShape), DataType.FLOAT32);
                    NDArray typed = chunk.toType(target, false);
                    out.set(new NDIndex("{}:{}", row, row + rows), typed);
                }
            }
            return out;
        } catch (IOException e) {
            out.close();
            throw new CheckpointException(file, name, "cannot read tensor data: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        } finally {
            synchronized (privateLock) {
                spare = buffers;
            }
        }
    }

    /**
     * The raw-bytes and F32 staging buffers of the chunked conversion, for at least {@code elements} values: this
     * file's spare pair, or a new one when another thread holds it or it is too small (so about one pair per
     * concurrent loader, reused across tensors).
     */
    private ByteBuffer[] takeBuffers(int elements) {
        synchronized (privateLock) {
            ByteBuffer[] b = spare;
            spare = null;
            if (b != null && b[1].capacity() >= elements * 4L) {
                return b;
            }
        }
        int n = Math.max(elements, Math.min(stagingElements, elements));
        return new ByteBuffer[] {ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN),
                ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder())};
    }

    /**
     * Widens elements [first, first+count) of an F32/F16/BF16 tensor to F32 into {@code dst} (flipped on return).
     * The bytes are read with positional reads into {@code raw} (not memory-mapped: a mapping stays resident, and
     * counted in the process's RSS, until the garbage collector unmaps it).
     */
    private void widen(TensorInfo info, long first, long count, int srcSize, ByteBuffer raw, ByteBuffer dst)
            throws IOException {
        if (!channel.isOpen()) {
            throw new IllegalStateException(file + ": safetensors file is closed");
        }
        long position = dataStart + info.begin() + first * srcSize;
        raw.clear();
        raw.limit(Math.toIntExact(count * srcSize));
        while (raw.hasRemaining()) {
            int n = channel.read(raw, position + raw.position());
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + (position + raw.position()));
            }
        }
        raw.flip();
        ByteBuffer src = raw.order(ByteOrder.LITTLE_ENDIAN);
        dst.clear();
        int n = (int) count;
        String dtype = info.dtype();
        if (dtype.equals("F32")) {
            dst.asFloatBuffer().put(src.asFloatBuffer());
        } else {
            java.nio.ShortBuffer in = src.asShortBuffer();
            int chunk = Math.min(n, 1 << 16);
            short[] a = new short[chunk];
            if (dtype.equals("BF16")) {
                java.nio.IntBuffer o = dst.asIntBuffer();
                int[] b = new int[chunk];
                for (int done = 0; done < n; ) {
                    int k = Math.min(chunk, n - done);
                    in.get(a, 0, k);
                    for (int i = 0; i < k; i++) {
                        b[i] = (a[i] & 0xFFFF) << 16;
                    }
                    o.put(b, 0, k);
                    done += k;
                }
            } else {
                java.nio.FloatBuffer o = dst.asFloatBuffer();
                float[] b = new float[chunk];
                for (int done = 0; done < n; ) {
                    int k = Math.min(chunk, n - done);
                    in.get(a, 0, k);
                    for (int i = 0; i < k; i++) {
                        b[i] = HalfFloats.f16ToFloat(a[i]);
                    }
                    o.put(b, 0, k);
                    done += k;
                }
            }
        }
        dst.position(n * 4);
        dst.flip();
    }

    private NDArray loadAs(TensorInfo info, NDManager manager, DataType target) {
        String name = info.name();
        int srcSize = elementSize(info.dtype());
        int dstSize = target == DataType.FLOAT32 ? 4 : 2;
        long[] shape = info.shape();
        long count = info.elementCount();
        long outBytes = count * dstSize;
        long limit = maxChunkBytes;
        try {
            if (outBytes <= limit || shape.length == 0) {
                return manager.create(read(info, 0, count, srcSize, target), new Shape(shape), target);
            }
            long rowElems = count / shape[0];
            long rowsPerChunk = Math.max(1, limit / Math.max(1, rowElems * dstSize));
            if (rowElems * dstSize > limit) {
                throw new CheckpointException(file, name, "a single row of " + rowElems * dstSize
                        + " bytes exceeds the " + limit + "-byte buffer limit", null);
            }
            NDList parts = new NDList();
            try (NDManager scratch = manager.newSubManager()) {
                for (long row = 0; row < shape[0]; row += rowsPerChunk) {
                    long rows = Math.min(rowsPerChunk, shape[0] - row);
                    long[] partShape = shape.clone();
                    partShape[0] = rows;
                    parts.add(scratch.create(read(info, row * rowElems, rows * rowElems, srcSize, target),
                            new Shape(partShape), target));
                }
                NDArray whole = NDArrays.concat(parts, 0);
                whole.attach(manager);
                return whole;
            }
        } catch (IOException e) {
            throw new CheckpointException(file, name, "cannot read tensor data: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the raw little-endian values of a tensor as floats (a heap copy; meant for small tensors, tests and
     * converters).
     *
     * @param name tensor name
     * @return the values widened to float
     * @throws CheckpointException if the tensor is missing, unsupported or has more than 2^31-1 elements
     */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        String dtype = info.dtype();
        if (!dtype.equals("F32") && !dtype.equals("F16") && !dtype.equals("BF16")) {
            throw new CheckpointException(file, name, "dtype " + dtype
                    + " is not supported (supported: F32, F16, BF16)", null);
        }
        long count = info.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file, name, "too large for a float[] (" + count + " elements)", null);
        }
        try {
            ByteBuffer buf = read(info, 0, count, elementSize(dtype), DataType.FLOAT32);
            float[] out = new float[(int) count];
            buf.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new CheckpointException(file, name, "cannot read tensor data: " + e.getMessage(), e);
        }
    }

    private static void checkTarget(DataType target) {
        if (target != DataType.FLOAT32 && target != DataType.FLOAT16) {
            throw new IllegalArgumentException("target data type must be FLOAT32 or FLOAT16, got " + target);
        }
    }

    /**
     * Reads elements [first, first+count) of a tensor into a direct native-order buffer of the target type: a
     * private mapping when the types match, else a copy (same type) or a Java widening (BF16/F16 to FLOAT32).
     */
    private ByteBuffer read(TensorInfo info, long first, long count, int srcSize, DataType target)
            throws IOException {
        if (!channel.isOpen()) {
            throw new IllegalStateException(file + ": safetensors file is closed");
        }
        long position = dataStart + info.begin() + first * srcSize;
        long srcBytes = count * srcSize;
        if (count == 0) {
            return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        String dtype = info.dtype();
        boolean same = (dtype.equals("F32") && target == DataType.FLOAT32)
                || (dtype.equals("F16") && target == DataType.FLOAT16);
        if (same && position % srcSize == 0 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            FileChannel rw = privateChannel();
            if (rw != null) {
                MappedByteBuffer mapped = rw.map(FileChannel.MapMode.PRIVATE, position, srcBytes);
                return mapped.order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        ByteBuffer src = channel.map(FileChannel.MapMode.READ_ONLY, position, srcBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        int dstSize = target == DataType.FLOAT32 ? 4 : 2;
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(count * dstSize)).order(ByteOrder.nativeOrder());
        int n = (int) count;
        if (same) {
            if (dstSize == 4) {
                dst.asFloatBuffer().put(src.asFloatBuffer());
            } else {
                dst.asShortBuffer().put(src.asShortBuffer());
            }
            dst.position(n * dstSize);
            dst.flip();
            return dst;
        }
        final int chunk = Math.min(n, 1 << 16);
        if (target != DataType.FLOAT32 || dtype.equals("F32")) {
            throw new IllegalStateException("no Java conversion from " + dtype + " to " + target);
        }
        java.nio.ShortBuffer in = src.asShortBuffer();
        short[] a = new short[chunk];
        if (dtype.equals("BF16")) {
            java.nio.IntBuffer out = dst.asIntBuffer();
            int[] b = new int[chunk];
            for (int done = 0; done < n; ) {
                int k = Math.min(chunk, n - done);
                in.get(a, 0, k);
                for (int i = 0; i < k; i++) {
                    b[i] = (a[i] & 0xFFFF) << 16;
                }
                out.put(b, 0, k);
                done += k;
            }
        } else {
            java.nio.FloatBuffer out = dst.asFloatBuffer();
            float[] b = new float[chunk];
            for (int done = 0; done < n; ) {
                int k = Math.min(chunk, n - done);
                in.get(a, 0, k);
                for (int i = 0; i < k; i++) {
                    b[i] = HalfFloats.f16ToFloat(a[i]);
                }
                out.put(b, 0, k);
                done += k;
            }
        }
        dst.position(n * dstSize);
        dst.flip();
        return dst;
    }

    /**
     * A read-write channel for copy-on-write mappings (Java only maps PRIVATE through a channel opened for reading
     * and writing; nothing is ever written). Null when the file is not writable: then data is copied instead.
     */
    private FileChannel privateChannel() {
        synchronized (privateLock) {
            if (!allowPrivateMapping) {
                return null;
            }
            if (privateChannel == null && !privateUnavailable) {
                try {
                    privateChannel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (IOException | UnsupportedOperationException | SecurityException e) {
                    privateUnavailable = true;
                }
            }
            return privateChannel;
        }
    }

    /** Closes the file; arrays already loaded stay valid (their mappings outlive the channel). */
    @Override
    public void close() {
        closeQuietly(channel);
        synchronized (privateLock) {
            if (privateChannel != null) {
                closeQuietly(privateChannel);
            }
            privateUnavailable = true;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the channel was read-only
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
    }
}
