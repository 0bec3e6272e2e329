package io.github.qalign.djl;

import io.github.qalign.djl.checkpoint.HfCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedModelsTest {

    static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "tokenizer_config.json", "LICENSE", "PROVENANCE.md");

    @Test
    void stories260kIsARealDirectoryThatOpensAsACheckpoint() {
        Path dir = EmbeddedModels.stories260k();
        assertThat(dir).isDirectory();
        assertThat(EmbeddedModels.stories260k()).isSameAs(dir);
        for (String f : FILES) {
            assertThat(dir.resolve(f)).isRegularFile();
        }
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            assertThat(ck.config().vocabSize()).isEqualTo(512);
            assertThat(ck.config().numHiddenLayers()).isEqualTo(5);
        }
    }

    @Test
    void extractionToTheCacheIsCompleteIdenticalAndReused(@TempDir Path cache) throws IOException {
        String old = System.getProperty(EmbeddedModels.CACHE_PROPERTY);
        System.setProperty(EmbeddedModels.CACHE_PROPERTY, cache.toString());
        try {
            Path a = EmbeddedModels.extractForTest("stories260k");
            assertThat(a).startsWith(cache);
            assertThat(a.getFileName().toString()).isEqualTo("stories260k");
            Path src = EmbeddedModels.stories260k();
            for (String f : FILES) {
                assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(src.resolve(f)));
            }
            long modified = Files.getLastModifiedTime(a.resolve("model.safetensors")).toMillis();
            Path b = EmbeddedModels.extractForTest("stories260k");
            assertThat(b).isEqualTo(a);
            assertThat(Files.getLastModifiedTime(b.resolve("model.safetensors")).toMillis()).isEqualTo(modified);
            try (Stream<Path> s = Files.list(a.getParent())) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("stories260k");
            }
            try (HfCheckpoint ck = HfCheckpoint.open(a)) {
                assertThat(ck.tensorNames()).hasSize(1 + 9 * 5 + 1);
            }
        } finally {
            if (old == null) {
                System.clearProperty(EmbeddedModels.CACHE_PROPERTY);
            } else {
                System.setProperty(EmbeddedModels.CACHE_PROPERTY, old);
            }
        }
    }

    /**
     * Runs EmbeddedModels from a real jar (class + resources, in an isolated class loader): the model is extracted
     * to the cache directory, byte-identical, and a second class loader reuses the same directory.
     */
    @Test
    void fromAJarTheModelIsExtractedAtomicallyAndReused(@TempDir Path tmp) throws Exception {
        Path src = EmbeddedModels.stories260k();
        Path jar = tmp.resolve("models.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String cls = "io/github/qalign/djl/EmbeddedModels.class";
            out.putNextEntry(new JarEntry(cls));
            try (var in = EmbeddedModels.class.getResourceAsStream("/" + cls)) {
                in.transferTo(out);
            }
            for (String f : FILES) {
                out.putNextEntry(new JarEntry("io/github/qalign/djl/models/stories260k/" + f));
                Files.copy(src.resolve(f), (OutputStream) out);
            }
        }
        Path cache = tmp.resolve("cache");
        String old = System.getProperty(EmbeddedModels.CACHE_PROPERTY);
        System.setProperty(EmbeddedModels.CACHE_PROPERTY, cache.toString());
        try {
            Path first = null;
            for (int round = 0; round < 2; round++) {
                try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                        ClassLoader.getPlatformClassLoader())) {
                    Class<?> c = loader.loadClass("io.github.qalign.djl.EmbeddedModels");
                    assertThat(c).isNotSameAs(EmbeddedModels.class);
                    Method m = c.getMethod("stories260k");
                    Path dir = (Path) m.invoke(null);
                    assertThat(dir).startsWith(cache);
                    if (first == null) {
                        first = dir;
                    }
                    assertThat(dir).isEqualTo(first);
                    for (String f : FILES) {
                        assertThat(Files.readAllBytes(dir.resolve(f))).as(f).isEqualTo(Files.readAllBytes(src.resolve(f)));
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
}
