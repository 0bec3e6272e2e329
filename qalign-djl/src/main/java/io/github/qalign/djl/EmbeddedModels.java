package io.github.qalign.djl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Models shipped inside this jar, as Hugging Face checkpoint directories usable with
 * {@link io.github.qalign.djl.checkpoint.HfCheckpoint#open(Path)}.
 *
 * <p>When the resources are plain files (running from {@code target/classes} or an exploded classpath) their
 * directory is returned directly. When they are inside a jar they are extracted once into
 * {@code <cache>/<content-sha256>/<model>}, where {@code <cache>} is the system property
 * {@value #CACHE_PROPERTY} or {@code ${java.io.tmpdir}/qalign-models}; extraction goes through a temporary directory
 * and an atomic rename, so concurrent processes are safe and a later call reuses the directory.
 */
public final class EmbeddedModels {

    /** System property overriding the extraction cache root. */
    public static final String CACHE_PROPERTY = "qalign.models.cache";

    private static final String BASE = "/io/github/qalign/djl/models/";
    private static final List<String> STORIES260K_FILES = List.of("config.json", "generation_config.json",
            "model.safetensors", "tokenizer.json", "tokenizer_config.json", "LICENSE", "PROVENANCE.md");

    private static volatile Path stories260k;

    private EmbeddedModels() {
    }

    /**
     * Karpathy's stories260K (a 260K-parameter Llama 2-architecture TinyStories model, MIT), converted from llama2.c
     * by {@link io.github.qalign.djl.convert.Llama2cConverter}: 5 layers, width 64, 8 query / 4 key-value heads,
     * vocabulary 512, context 512, F32 weights, tied embeddings.
     *
     * @return a directory with config.json, generation_config.json, model.safetensors, tokenizer.json,
     *         tokenizer_config.json, LICENSE and PROVENANCE.md
     * @throws UncheckedIOException if the resources are missing or cannot be extracted
     */
    public static Path stories260k() {
        Path p = stories260k;
        if (p == null) {
            synchronized (EmbeddedModels.class) {
                p = stories260k;
                if (p == null) {
                    p = resolve("stories260k", STORIES260K_FILES);
                    stories260k = p;
                }
            }
        }
        return p;
    }

    private static Path resolve(String model, List<String> files) {
        String base = BASE + model + "/";
        URL first = EmbeddedModels.class.getResource(base + files.get(0));
        if (first == null) {
            throw new UncheckedIOException(new IOException("embedded model resource " + base + files.get(0)
                    + " not found on the classpath"));
        }
        if ("file".equals(first.getProtocol())) {
            try {
                Path dir = Path.of(first.toURI()).getParent();
                if (files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
                    return dir;
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                // fall through to extraction
            }
        }
        try {
            return extract(base, model, files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract embedded model " + model, e);
        }
    }

    private static Path extract(String base, String model, List<String> files) throws IOException {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String f : files) {
            try (InputStream in = EmbeddedModels.class.getResourceAsStream(base + f)) {
                if (in == null) {
                    throw new IOException("embedded model resource " + base + f + " not found on the classpath");
                }
                byte[] bytes = in.readAllBytes();
                contents.put(f, bytes);
                sha.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(bytes);
            }
        }
        String digest = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        String root = System.getProperty(CACHE_PROPERTY);
        Path cache = root != null ? Path.of(root) : Path.of(System.getProperty("java.io.tmpdir"), "qalign-models");
        Path target = cache.resolve(digest).resolve(model);
        if (complete(target, contents)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), model + ".tmp");
        try {
            for (Map.Entry<String, byte[]> e : contents.entrySet()) {
                Files.write(tmp.resolve(e.getKey()), e.getValue());
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another process won the race
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            deleteTree(tmp);
        }
        if (!complete(target, contents)) {
            throw new IOException("extracted model directory " + target + " is incomplete or differs from the jar");
        }
        return target;
    }

    private static boolean complete(Path dir, Map<String, byte[]> contents) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : contents.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f) || Files.size(f) != e.getValue().length) {
                return false;
            }
        }
        return true;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** For tests: extracts from the classpath even when the resources are plain files. */
    static Path extractForTest(String model) throws IOException {
        return extract(BASE + model + "/", model, STORIES260K_FILES);
    }
}
