package io.github.qalign.djl;

import io.github.qalign.djl.checkpoint.HfCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded models: verified against their committed SHA-256 manifests on every use; extracted from a jar into a
 * private per-user cache (owner-only permissions, never java.io.tmpdir); a planted, modified, extra or linked file is
 * detected and replaced; a cache owned by someone else is refused.
 */
class EmbeddedModelsTest {

    static final List<String> POLICY_FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "tokenizer_config.json", "LICENSE", "PROVENANCE.md");
    static final List<String> REWARD_FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "LICENSE", "PROVENANCE.md");

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void bothModelsAreVerifiedDirectoriesThatOpenAsCheckpoints() {
        Path dir = EmbeddedModels.stories260k();
        for (String f : POLICY_FILES) {
            assertThat(dir.resolve(f)).isRegularFile();
        }
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            assertThat(ck.config().vocabSize()).isEqualTo(512);
            assertThat(ck.config().numHiddenLayers()).isEqualTo(5);
        }
        Path rm = EmbeddedModels.stories260kReward();
        for (String f : REWARD_FILES) {
            assertThat(rm.resolve(f)).isRegularFile();
        }
        try (HfCheckpoint ck = HfCheckpoint.open(rm)) {
            assertThat(ck.config().architecture()).isEqualTo(LlamaConfig.SEQUENCE_CLASSIFICATION);
            assertThat(ck.tensorNames()).contains("score.weight").doesNotContain("lm_head.weight");
        }
        assertThat(EmbeddedModels.STORIES260K_REWARD_BETA).isEqualTo(0.25);
    }

    /** The committed manifests list every file of the model directories with its real SHA-256 (independent check). */
    @Test
    void manifestsListEveryFileWithItsSha256() throws Exception {
        for (Map.Entry<String, List<String>> model : Map.of("stories260k", POLICY_FILES, "stories260k-rm",
                REWARD_FILES).entrySet()) {
            EmbeddedModels.Manifest m = EmbeddedModels.manifest(EmbeddedModels.class, model.getKey());
            assertThat(m.sha256().keySet()).containsExactlyInAnyOrderElementsOf(model.getValue());
            Path dir = model.getKey().equals("stories260k") ? EmbeddedModels.stories260k()
                    : EmbeddedModels.stories260kReward();
            for (String f : model.getValue()) {
                assertThat(m.sha256().get(f)).as(f).isEqualTo(sha256(Files.readAllBytes(dir.resolve(f))));
            }
        }
    }

    @Test
    void theDefaultCacheIsPerUserNotUnderTmp() {
        String old = System.getProperty(EmbeddedModels.CACHE_PROPERTY);
        System.clearProperty(EmbeddedModels.CACHE_PROPERTY);
        try {
            Path root = EmbeddedModels.cacheRoot();
            assertThat(root.isAbsolute()).isTrue();
            assertThat(root.endsWith(Path.of("qalign", "models"))).isTrue();
            assertThat(root.startsWith(Path.of(System.getProperty("java.io.tmpdir")))).isFalse();
        } finally {
            if (old != null) {
                System.setProperty(EmbeddedModels.CACHE_PROPERTY, old);
            }
        }
    }

    @Test
    void extractionIsPrivateIdenticalAndReused(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("cache");
        Path a = EmbeddedModels.extractForTest("stories260k", root);
        assertThat(a).startsWith(root);
        assertThat(a.getFileName().toString()).isEqualTo("stories260k");
        Path src = EmbeddedModels.stories260k();
        for (String f : POLICY_FILES) {
            assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(src.resolve(f)));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve(f)))).isEqualTo(
                    "rw-------");
        }
        for (Path d : List.of(root, a.getParent(), a)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).as(d.toString())
                    .isEqualTo("rwx------");
        }
        long modified = Files.getLastModifiedTime(a.resolve("model.safetensors")).toMillis();
        Path b = EmbeddedModels.extractForTest("stories260k", root);
        assertThat(b).isEqualTo(a);
        assertThat(Files.getLastModifiedTime(b.resolve("model.safetensors")).toMillis()).isEqualTo(modified);
        try (Stream<Path> s = Files.list(a.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("stories260k");
        }
    }

    /**
     * Another user (or a bug) changes the extracted copy: a hostile chat template of the same size, a file replaced by
     * a symbolic link to attacker content, an extra file, a missing file, a planted directory before the first
     * extraction. Each is detected by content (not size) and replaced by the jar's bytes.
     */
    @Test
    void plantedOrModifiedFilesAreDetectedAndReplaced(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("cache");
        Path dir = EmbeddedModels.extractForTest("stories260k", root);
        Path src = EmbeddedModels.stories260k();
        byte[] config = Files.readAllBytes(src.resolve("tokenizer_config.json"));
        Map<String, Runnable> attacks = new TreeMap<>();
        attacks.put("1 same-size hostile template", () -> write(dir.resolve("tokenizer_config.json"),
                sameSize(config, "{{ ____int3rpr3t3r____ }}")));
        attacks.put("2 symlink", () -> {
            try {
                Path evil = tmp.resolve("evil.json");
                Files.write(evil, config);
                Files.delete(dir.resolve("tokenizer_config.json"));
                Files.createSymbolicLink(dir.resolve("tokenizer_config.json"), evil);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        attacks.put("3 extra file", () -> write(dir.resolve("chat_template.jinja"), "{{ 7*7 }}".getBytes(
                StandardCharsets.UTF_8)));
        attacks.put("4 missing file", () -> {
            try {
                Files.delete(dir.resolve("model.safetensors"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        attacks.put("5 flipped weight byte", () -> {
            try {
                byte[] w = Files.readAllBytes(dir.resolve("model.safetensors"));
                w[w.length - 3] ^= 1;
                Files.write(dir.resolve("model.safetensors"), w);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (Map.Entry<String, Runnable> attack : attacks.entrySet()) {
            attack.getValue().run();
            EmbeddedModels.Manifest m = EmbeddedModels.manifest(EmbeddedModels.class, "stories260k");
            assertThat(EmbeddedModels.verify(dir, m)).as(attack.getKey()).isNotNull();
            Path again = EmbeddedModels.extractForTest("stories260k", root);
            assertThat(again).isEqualTo(dir);
            assertThat(EmbeddedModels.verify(again, m)).as(attack.getKey()).isNull();
            assertThat(Files.isSymbolicLink(again.resolve("tokenizer_config.json"))).isFalse();
            for (String f : POLICY_FILES) {
                assertThat(Files.readAllBytes(again.resolve(f))).as(attack.getKey() + ": " + f)
                        .isEqualTo(Files.readAllBytes(src.resolve(f)));
            }
            try (Stream<Path> s = Files.list(again)) {
                assertThat(s.count()).as(attack.getKey()).isEqualTo(POLICY_FILES.size());
            }
        }
        assertThat(tmp.resolve("evil.json")).exists();
        // a directory planted where the model will be extracted, before any extraction
        Path root2 = tmp.resolve("cache2");
        EmbeddedModels.Manifest m = EmbeddedModels.manifest(EmbeddedModels.class, "stories260k-rm");
        Path planted = root2.resolve(m.digest().substring(0, 16)).resolve("stories260k-rm");
        Files.createDirectories(planted);
        for (String f : REWARD_FILES) {
            Files.writeString(planted.resolve(f), "planted");
        }
        Path rm = EmbeddedModels.extractForTest("stories260k-rm", root2);
        assertThat(rm).isEqualTo(planted);
        assertThat(EmbeddedModels.verify(rm, m)).isNull();
        assertThat(Files.readString(rm.resolve("config.json"))).contains("LlamaForSequenceClassification");
    }

    @Test
    void aCacheOwnedByAnotherUserIsRefusedAndAnOpenOneIsRestricted(@TempDir Path tmp) throws Exception {
        Path open = tmp.resolve("open");
        Files.createDirectories(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        EmbeddedModels.extractForTest("stories260k", open);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(open))).isEqualTo("rwx------");

        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        UserPrincipal nobody = foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(foreign, nobody);
        assertThatThrownBy(() -> EmbeddedModels.extractForTest("stories260k", foreign))
                .isInstanceOf(IOException.class).hasMessageContaining(foreign.toString())
                .hasMessageContaining("belongs to nobody").hasMessageContaining(EmbeddedModels.CACHE_PROPERTY);
        try (Stream<Path> s = Files.list(foreign)) {
            assertThat(s.count()).isZero();
        }
        Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, open);
        assertThatThrownBy(() -> EmbeddedModels.extractForTest("stories260k", link))
                .isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
    }

    private static byte[] sameSize(byte[] original, String payload) {
        byte[] out = original.clone();
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(p, 0, out, 10, p.length);
        return out;
    }

    private static void write(Path f, byte[] bytes) {
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs EmbeddedModels from a real jar (classes + resources, in an isolated class loader): both models are
     * extracted to the cache directory, byte-identical; a second class loader re-uses them; a modified file is
     * replaced on the next use.
     */
    @Test
    void fromAJarTheModelsAreExtractedVerifiedAndReused(@TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("models.jar");
        Path classes = Path.of(EmbeddedModels.class.getResource("EmbeddedModels.class").toURI()).getParent();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> cls = Files.list(classes)) {
            for (Path c : cls.filter(p -> p.getFileName().toString().startsWith("EmbeddedModels")).toList()) {
                out.putNextEntry(new JarEntry("io/github/qalign/djl/" + c.getFileName()));
                Files.copy(c, (OutputStream) out);
            }
            for (String model : List.of("stories260k", "stories260k-rm")) {
                Path src = model.equals("stories260k") ? EmbeddedModels.stories260k()
                        : EmbeddedModels.stories260kReward();
                try (Stream<Path> files = Files.list(src)) {
                    for (Path f : files.toList()) {
                        out.putNextEntry(new JarEntry("io/github/qalign/djl/models/" + model + "/" + f.getFileName()));
                        Files.copy(f, (OutputStream) out);
                    }
                }
            }
        }
        Path cache = tmp.resolve("cache");
        String old = System.getProperty(EmbeddedModels.CACHE_PROPERTY);
        System.setProperty(EmbeddedModels.CACHE_PROPERTY, cache.toString());
        try {
            Path first = null;
            for (int round = 0; round < 3; round++) {
                try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                        ClassLoader.getPlatformClassLoader())) {
                    Class<?> c = loader.loadClass("io.github.qalign.djl.EmbeddedModels");
                    assertThat(c).isNotSameAs(EmbeddedModels.class);
                    Path dir = invoke(c, "stories260k");
                    Path rm = invoke(c, "stories260kReward");
                    assertThat(dir).startsWith(cache);
                    assertThat(rm).startsWith(cache);
                    if (first == null) {
                        first = dir;
                    }
                    assertThat(dir).isEqualTo(first);
                    for (String f : POLICY_FILES) {
                        assertThat(Files.readAllBytes(dir.resolve(f))).as(f)
                                .isEqualTo(Files.readAllBytes(EmbeddedModels.stories260k().resolve(f)));
                    }
                    for (String f : REWARD_FILES) {
                        assertThat(Files.readAllBytes(rm.resolve(f))).as(f)
                                .isEqualTo(Files.readAllBytes(EmbeddedModels.stories260kReward().resolve(f)));
                    }
                    if (round == 1) {
                        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ x }}\"}");
                    }
                }
            }
            try (Stream<Path> s = Files.list(first.getParent())) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("stories260k");
            }
        } finally {
            if (old == null) {
                System.clearProperty(EmbeddedModels.CACHE_PROPERTY);
            } else {
                System.setProperty(EmbeddedModels.CACHE_PROPERTY, old);
            }
        }
    }

    private static Path invoke(Class<?> c, String method) throws Exception {
        Method m = c.getMethod(method);
        try {
            return (Path) m.invoke(null);
        } catch (InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
