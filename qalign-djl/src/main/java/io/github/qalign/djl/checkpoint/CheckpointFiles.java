package io.github.qalign.djl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Size caps and bounded reads for the side files of a checkpoint folder, and the rules that keep error messages
 * from quoting a file's contents.
 *
 * <p>A model folder is untrusted input: any of its files may be huge, may be a device or a {@code /proc} entry, or
 * may be a symbolic link to a file of the user's (e.g. {@code config.json -> /etc/passwd}). Symbolic links are
 * followed, because the Hugging Face hub cache stores every snapshot file as a link into its {@code blobs/}
 * directory; what is guaranteed instead:
 * <ul>
 *   <li>only regular files are read (after following links), and never more than the file's cap: the read stops at
 *       cap + 1 bytes whatever size the file system reports;</li>
 *   <li>an error message names the file and the field, describes a bad value by its JSON type and size, quotes
 *       strings only up to {@value #QUOTE_LIMIT} characters (escaped), and never includes parser excerpts, so
 *       the contents of a linked foreign file are not echoed.</li>
 * </ul>
 *
 * <p>The caps are far above what real checkpoints need (Llama 3.1 405B: {@code config.json} ~1 KB, the shard
 * index ~80 KB, {@code tokenizer.json} ~9 MB, {@code tokenizer_config.json} ~55 KB; the largest tokenizer files seen
 * on the hub, e.g. Gemma 3's, are ~33 MB).
 */
public final class CheckpointFiles {

    /** Cap on {@code config.json}: 4 MiB. */
    public static final long MAX_CONFIG_BYTES = 4L << 20;
    /** Cap on {@code generation_config.json}: 1 MiB. */
    public static final long MAX_GENERATION_CONFIG_BYTES = 1L << 20;
    /** Cap on {@code model.safetensors.index.json}: 64 MiB. */
    public static final long MAX_INDEX_BYTES = 64L << 20;
    /** Cap on {@code tokenizer.json}: 128 MiB (the tokenizer module's own cap). */
    public static final long MAX_TOKENIZER_BYTES = 128L << 20;
    /** Cap on {@code tokenizer_config.json}: 16 MiB (the tokenizer module's own cap). */
    public static final long MAX_TOKENIZER_CONFIG_BYTES = 16L << 20;
    /** Longest string an error message quotes from a file. */
    public static final int QUOTE_LIMIT = 64;

    private CheckpointFiles() {
    }

    /**
     * The cap of a side file by its name ({@link HfCheckpoint#CONFIG} etc.); 4 MiB for other names.
     *
     * @param fileName the file name
     * @return the cap in bytes
     */
    public static long capOf(String fileName) {
        return switch (fileName) {
            case HfCheckpoint.GENERATION_CONFIG -> MAX_GENERATION_CONFIG_BYTES;
            case HfCheckpoint.WEIGHTS_INDEX -> MAX_INDEX_BYTES;
            case HfCheckpoint.TOKENIZER -> MAX_TOKENIZER_BYTES;
            case HfCheckpoint.TOKENIZER_CONFIG -> MAX_TOKENIZER_CONFIG_BYTES;
            default -> MAX_CONFIG_BYTES;
        };
    }

    /**
     * Checks, without reading it, that {@code file} is a regular file (links followed) of at most {@code cap} bytes.
     *
     * @param file the file
     * @param cap  the largest size accepted
     * @throws CheckpointException naming the file if it is missing, not a regular file, or too large
     */
    public static void checkSize(Path file, long cap) {
        if (!Files.exists(file)) {
            throw new CheckpointException(file, "file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "not a regular file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e.getClass().getSimpleName(), e);
        }
        if (size > cap) {
            throw new CheckpointException(file, "file of " + size + " bytes exceeds the " + cap + "-byte limit for "
                    + file.getFileName());
        }
    }

    /**
     * Reads a whole side file, never more than {@code cap + 1} bytes whatever size the file system reports.
     *
     * @param file the file
     * @param cap  the largest size accepted
     * @return the bytes
     * @throws CheckpointException naming the file if it is missing, not a regular file, too large or unreadable
     */
    public static byte[] readBounded(Path file, long cap) {
        checkSize(file, cap);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[(int) Math.min(cap + 1, Math.max(1024, Math.min(Files.size(file) + 1, cap + 1)))];
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    if (n > cap) {
                        break;
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(cap + 1, 2L * buf.length));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            if (n > cap) {
                throw new CheckpointException(file, "file exceeds the " + cap + "-byte limit for "
                        + file.getFileName());
            }
            return n == buf.length ? buf : Arrays.copyOf(buf, n);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * A short description of a JSON value for an error message: numbers and booleans as written (numbers cut to
     * {@value #QUOTE_LIMIT} characters), strings quoted up to {@value #QUOTE_LIMIT} characters, containers by kind
     * and size only.
     *
     * @param n the value (may be null)
     * @return the description
     */
    public static String describe(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "null";
        }
        if (n.isNumber() || n.isBoolean()) {
            return cut(n.asText());
        }
        if (n.isTextual()) {
            return "the string " + quote(n.asText());
        }
        if (n.isArray()) {
            return "an array of " + n.size() + " element(s)";
        }
        if (n.isObject()) {
            return "an object of " + n.size() + " field(s)";
        }
        return "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " value";
    }

    /**
     * A string from a file as an error message may show it: single-quoted, control and non-ASCII characters
     * escaped as {@code \\uXXXX}, cut to {@value #QUOTE_LIMIT} characters.
     *
     * @param s the string
     * @return the quoted form
     */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        int n = Math.min(s.length(), QUOTE_LIMIT);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('\'');
        if (s.length() > n) {
            sb.append("... (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    private static String cut(String s) {
        return s.length() <= QUOTE_LIMIT ? s : s.substring(0, QUOTE_LIMIT) + "... (" + s.length() + " chars)";
    }
}
