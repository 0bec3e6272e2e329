package io.github.qalign.djl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Models shipped inside this jar, as Hugging Face checkpoint directories usable with
 * {@link io.github.qalign.djl.checkpoint.HfCheckpoint#open(Path)}: the stories260K policy and a Bradley–Terry reward
 * model trained on its samples.
 *
 * <h2>Integrity</h2>
 * Every model directory in the jar carries a {@code SHA256SUMS} manifest (written when the model was committed and
 * checked against the files by the build's tests) naming each file and its SHA-256. Every call of
 * {@link #stories260k()} or {@link #stories260kReward()} verifies the directory it returns against that manifest: the
 * exact set of files, regular files only (no symbolic links), every SHA-256 equal.
 * <ul>
 *   <li>When the resources are plain files (running from {@code target/classes}), that directory is verified and
 *       returned; a mismatch is an error (the build output was modified).</li>
 *   <li>When they are inside a jar, they are extracted into a private per-user cache,
 *       {@code <cache>/<manifest-sha256>/<model>}: {@code <cache>} is the system property {@value #CACHE_PROPERTY},
 *       else {@code $XDG_CACHE_HOME/qalign/models}, else {@code ~/.cache/qalign/models} — never a predictable shared
 *       path under {@code java.io.tmpdir}. Directories are created owner-only ({@code rwx------}) where the file
 *       system has POSIX permissions; a cache root owned by another user is refused, and one writable by others is
 *       restricted. A directory that fails verification (a planted or modified file, an extra file, a link) is
 *       replaced by a fresh extraction, verified again. Extraction goes through a temporary directory and an atomic
 *       rename, so concurrent processes are safe.</li>
 * </ul>
 * This class writes nothing else and logs nothing.
 */
public final class EmbeddedModels {

    /** System property overriding the extraction cache root. */
    public static final String CACHE_PROPERTY = "qalign.models.cache";

    /** Name of the checksum manifest in every embedded model directory ({@code sha256sum} format). */
    public static final String MANIFEST = "SHA256SUMS";

    /**
     * The QAlign beta used with {@link #stories260kReward()} when none is given: tuned to about 50% acceptance on
     * held-out prompts (see the model's PROVENANCE.md).
     */
    public static final double STORIES260K_REWARD_BETA = 0.25;

    private static final String BASE = "/io/github/qalign/djl/models/";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private EmbeddedModels() {
    }

    /**
     * Karpathy's stories260K (a 260K-parameter Llama 2-architecture TinyStories model, MIT), converted from llama2.c
     * by {@link io.github.qalign.djl.convert.Llama2cConverter}: 5 layers, width 64, 8 query / 4 key-value heads,
     * vocabulary 512, context 512, F32 weights, tied embeddings.
     *
     * @return a verified directory with config.json, generation_config.json, model.safetensors, tokenizer.json,
     *         tokenizer_config.json, LICENSE, PROVENANCE.md
     * @throws UncheckedIOException if the resources are missing, modified or cannot be extracted
     */
    public static Path stories260k() {
        return resolve(EmbeddedModels.class, "stories260k");
    }

    /**
     * A Bradley–Terry reward model ({@code LlamaForSequenceClassification}, one label) for the "cheerful story" task
     * of the examples: the stories260K backbone fine-tuned on preference pairs of the policy's own samples, held-out
     * pairwise accuracy 0.967 (see its PROVENANCE.md, which gives the exact training command). It shares the
     * policy's tokenizer and chat template, so it can score the policy's ids directly
     * ({@code LlamaRewardModel.load(dir, options, true)}) or re-render the conversation ({@code false}); use it with
     * beta {@value #STORIES260K_REWARD_BETA}.
     *
     * @return a verified directory with config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
     *         LICENSE, PROVENANCE.md
     * @throws UncheckedIOException if the resources are missing, modified or cannot be extracted
     */
    public static Path stories260kReward() {
        return resolve(EmbeddedModels.class, "stories260k-rm");
    }

    /** The checksum manifest of one model: file name to lower-case hex SHA-256, in manifest order. */
    record Manifest(String model, Map<String, String> sha256, String digest) {
    }

    static Manifest manifest(Class<?> anchor, String model) throws IOException {
        String path = BASE + model + "/" + MANIFEST;
        byte[] bytes;
        try (InputStream in = anchor.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("embedded model manifest " + path + " not found on the classpath");
            }
            bytes = in.readNBytes(1 << 16);
        }
        Map<String, String> files = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int sep = line.indexOf("  ");
            String hash = sep == 64 ? line.substring(0, 64) : "";
            String name = sep == 64 ? line.substring(66).trim() : "";
            if (!hash.matches("[0-9a-f]{64}") || name.isEmpty() || name.contains("/") || name.contains("\\")
                    || name.equals(".") || name.equals("..") || name.equals(MANIFEST)) {
                throw new IOException(path + " line " + lineNo + ": expected '<sha256>  <file name>'");
            }
            files.put(name, hash);
        }
        if (files.isEmpty()) {
            throw new IOException(path + " lists no files");
        }
        return new Manifest(model, files, HexFormat.of().formatHex(sha256(bytes)));
    }

    private static Path resolve(Class<?> anchor, String model) {
        try {
            Manifest m = manifest(anchor, model);
            String first = m.sha256().keySet().iterator().next();
            URL url = anchor.getResource(BASE + model + "/" + first);
            if (url == null) {
                throw new IOException("embedded model resource " + BASE + model + "/" + first
                        + " not found on the classpath");
            }
            if ("file".equals(url.getProtocol())) {
                Path dir = Path.of(url.toURI()).getParent();
                String problem = verify(dir, m);
                if (problem != null) {
                    throw new IOException("embedded model " + model + " at " + dir + " does not match its "
                            + MANIFEST + ": " + problem);
                }
                return dir;
            }
            return extract(anchor, m, cacheRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("embedded model " + model + ": " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException("embedded model " + model + ": bad resource URL", e));
        }
    }

    /** The per-user cache root (see the class documentation). */
    static Path cacheRoot() {
        String prop = System.getProperty(CACHE_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "qalign", "models");
        }
        String local = System.getenv("LOCALAPPDATA");
        if (local != null && !local.isBlank() && !posix(Path.of(local))) {
            return Path.of(local, "qalign", "models");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "qalign", "models");
    }

    /**
     * Extracts (or re-uses, after verification) a model below a cache root.
     *
     * @return the verified model directory
     */
    static Path extract(Class<?> anchor, Manifest m, Path root) throws IOException {
        ensurePrivateDirectory(root, true);
        Path parent = root.resolve(m.digest().substring(0, 16));
        ensurePrivateDirectory(parent, false);
        Path target = parent.resolve(m.model());
        if (verify(target, m) == null) {
            return target;
        }
        // absent, incomplete, modified or planted: extract afresh and swap it in
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.sha256().entrySet()) {
            String res = BASE + m.model() + "/" + e.getKey();
            try (InputStream in = anchor.getResourceAsStream(res)) {
                if (in == null) {
                    throw new IOException("embedded model resource " + res + " not found on the classpath");
                }
                byte[] bytes = in.readAllBytes();
                String got = HexFormat.of().formatHex(sha256(bytes));
                if (!got.equals(e.getValue())) {
                    throw new IOException("embedded model resource " + res + " has SHA-256 " + got + ", its "
                            + MANIFEST + " says " + e.getValue() + " (corrupt jar)");
                }
                contents.put(e.getKey(), bytes);
            }
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Path tmp = createPrivateTempDirectory(parent, m.model() + ".tmp");
            try {
                for (Map.Entry<String, byte[]> e : contents.entrySet()) {
                    Path f = tmp.resolve(e.getKey());
                    Files.write(f, e.getValue());
                    restrict(f, OWNER_ONLY_FILE);
                }
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Path stale = parent.resolve(m.model() + ".stale-" + System.nanoTime());
                    try {
                        Files.move(target, stale, StandardCopyOption.ATOMIC_MOVE);
                        deleteTree(stale);
                    } catch (IOException e) {
                        // another process moved it first
                    }
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    // another process extracted it first: verified below
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
            } finally {
                deleteTree(tmp);
            }
            String problem = verify(target, m);
            if (problem == null) {
                return target;
            }
            if (attempt == 2) {
                throw new IOException("extracted model directory " + target + " does not match its " + MANIFEST
                        + ": " + problem);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * Checks a model directory against its manifest.
     *
     * @return null when the directory holds exactly the manifest's files, as regular files with the listed SHA-256;
     *         otherwise what is wrong
     */
    static String verify(Path dir, Manifest m) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Files.exists(dir, LinkOption.NOFOLLOW_LINKS) ? dir + " is not a directory" : dir + " is missing";
        }
        Set<String> present = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> present.add(p.getFileName().toString()));
        }
        present.remove(MANIFEST);
        Set<String> extra = new TreeSet<>(present);
        extra.removeAll(m.sha256().keySet());
        if (!extra.isEmpty()) {
            return "unexpected file(s) " + extra;
        }
        for (Map.Entry<String, String> e : m.sha256().entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                return e.getKey() + (Files.exists(f, LinkOption.NOFOLLOW_LINKS) ? " is not a regular file"
                        : " is missing");
            }
            String got = HexFormat.of().formatHex(sha256(f));
            if (!got.equals(e.getValue())) {
                return e.getKey() + " has SHA-256 " + got + ", expected " + e.getValue();
            }
        }
        return null;
    }

    private static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest d = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return d.digest();
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static boolean posix(Path p) {
        Path probe = p;
        while (probe != null && !Files.exists(probe)) {
            probe = probe.getParent();
        }
        return probe != null && Files.getFileAttributeView(probe, PosixFileAttributeView.class) != null;
    }

    /**
     * Creates a directory (and missing parents) owner-only, or checks an existing one: it must be a real directory
     * owned by the current user; permissions for group and others are removed.
     */
    static void ensurePrivateDirectory(Path dir, boolean withParents) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (withParents && dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            try {
                if (posix(dir)) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (FileAlreadyExistsException e) {
                // created concurrently: checked below
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("model cache " + dir + " is not a directory (or is a symbolic link)");
        }
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        UserPrincipal owner = view.readAttributes().owner();
        UserPrincipal me = dir.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!owner.equals(me)) {
            throw new IOException("model cache " + dir + " belongs to " + owner.getName() + ", not to "
                    + me.getName() + "; refusing to use it (set -D" + CACHE_PROPERTY + " to a private directory)");
        }
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        if (!OWNER_ONLY_DIR.containsAll(perms)) {
            view.setPermissions(EnumSet.copyOf(OWNER_ONLY_DIR));
        }
    }

    private static Path createPrivateTempDirectory(Path parent, String prefix) throws IOException {
        if (posix(parent)) {
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR);
            return Files.createTempDirectory(parent, prefix, attr);
        }
        return Files.createTempDirectory(parent, prefix);
    }

    private static void restrict(Path file, Set<PosixFilePermission> perms) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
            view.setPermissions(perms);
        }
    }

    /** Deletes a tree without following symbolic links (a link is deleted, never its target). */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** For tests: extracts from the classpath into a cache root even when the resources are plain files. */
    static Path extractForTest(String model, Path root) throws IOException {
        return extract(EmbeddedModels.class, manifest(EmbeddedModels.class, model), root);
    }
}
