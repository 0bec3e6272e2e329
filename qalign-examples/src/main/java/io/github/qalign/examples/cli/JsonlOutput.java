package io.github.qalign.examples.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Where {@code qalign sample} writes its JSON lines: blocks of whole lines, each written and flushed at once, every
 * write error turned into one {@link UncheckedIOException} whose message names the destination and the reason.
 *
 * <p>Four kinds of destination:
 * <ul>
 *   <li>{@link #stdout(PrintWriter)}: the command's standard output;</li>
 *   <li>{@link #device(Path)}: an existing file that is not a regular file ({@code /dev/full}, a named pipe),
 *       written in place;</li>
 *   <li>{@link #replacing(Path)}: a new run to a regular file. The lines go to a temporary file in the same
 *       directory; the first {@link #write(String, boolean) published} block (the first finished prompt) moves it
 *       atomically over the target, and later blocks go on into the moved file. An earlier file at the target
 *       therefore survives until the new run has finished a prompt; a run interrupted before that leaves the
 *       target untouched (the temporary file is deleted on a normal JVM shutdown, e.g. SIGINT);</li>
 *   <li>{@link #appending(Path, long)}: a resumed run: the file is cut after its last finished prompt and
 *       appended to.</li>
 * </ul>
 *
 * <p>Interruption: a shutdown hook (SIGINT, SIGTERM, {@code System.exit}) waits for a block being written to end
 * and stops later writes, so such an exit never leaves half a line; the file holds the settings line and every
 * finished prompt. SIGKILL can cut the block being written: every complete line is still whole JSON, and
 * {@code --resume} drops the incomplete tail. Writes come from one thread.
 */
final class JsonlOutput implements AutoCloseable {

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final String name;
    private final PrintWriter writer;
    private final OutputStream stream;
    private final FileChannel channel;
    private Path temp;
    private final Path target;
    private final Object lock = new Object();
    private boolean stopped;
    private Thread hook;

    private JsonlOutput(String name, PrintWriter writer, OutputStream stream, FileChannel channel, Path temp,
                        Path target) {
        this.name = name;
        this.writer = writer;
        this.stream = stream;
        this.channel = channel;
        this.temp = temp;
        this.target = target;
        this.hook = new Thread(this::stop, "qalign-output-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** On JVM shutdown: let a running write end, stop further writes, delete an unpublished temporary file. */
    private void stop() {
        synchronized (lock) {
            stopped = true;
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort on the way out
                }
            }
        }
    }

    /** The command's standard output; a failed write is detected with {@link PrintWriter#checkError()}. */
    static JsonlOutput stdout(PrintWriter out) {
        return new JsonlOutput("standard output", Objects.requireNonNull(out, "out"), null, null, null, null);
    }

    /** An existing non-regular file (a device or a pipe), written in place. */
    static JsonlOutput device(Path file) {
        try {
            return new JsonlOutput(file.toString(), null, new FileOutputStream(file.toFile()), null, null, null);
        } catch (IOException e) {
            throw failure(file.toString(), e);
        }
    }

    /** A new file at {@code target}, written through a temporary file in the same directory (see the class doc). */
    static JsonlOutput replacing(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path temp;
        FileChannel ch;
        try {
            // created like any new file (permissions from the umask), under a name no other run uses
            temp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".partial");
            ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw failure(target + " (temporary file in " + dir + ")", e);
        }
        return new JsonlOutput(target.toString(), null, null, ch, temp, abs);
    }

    /** An existing output file: its first {@code keepBytes} bytes are kept, the rest cut, and lines appended. */
    static JsonlOutput appending(Path file, long keepBytes) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
            ch.truncate(keepBytes);
            ch.position(keepBytes);
            return new JsonlOutput(file.toString(), null, null, ch, null, null);
        } catch (IOException e) {
            throw failure(file.toString(), e);
        }
    }

    /**
     * Writes a block of whole lines and flushes it.
     *
     * @param block   the lines, each ending in {@code \n}
     * @param publish true once the block completes a prompt: a new file then replaces the target
     * @throws UncheckedIOException naming the destination and the reason when the write fails
     */
    void write(String block, boolean publish) {
        synchronized (lock) {
            if (!stopped) {
                writeLocked(block, publish);
            }
        }
    }

    private void writeLocked(String block, boolean publish) {
        try {
            if (writer != null) {
                writer.print(block);
                if (writer.checkError()) {
                    throw new IOException("the stream reported an error (closed pipe or full device?)");
                }
            } else if (stream != null) {
                stream.write(block.getBytes(StandardCharsets.UTF_8));
                stream.flush();
            } else {
                ByteBuffer b = ByteBuffer.wrap(block.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
            if (publish && temp != null) {
                publish();
            }
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    private void publish() throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        temp = null;
    }

    private void dropHook() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook runs
            }
            hook = null;
        }
    }

    @Override
    public void close() {
        dropHook();
        try {
            if (channel != null) {
                channel.close();
            }
            if (stream != null) {
                stream.close();
            }
            if (temp != null) {
                Files.deleteIfExists(temp);
                temp = null;
            }
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    private static UncheckedIOException failure(String name, IOException e) {
        String reason = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        return new UncheckedIOException("cannot write " + name + ": " + reason, e);
    }
}
