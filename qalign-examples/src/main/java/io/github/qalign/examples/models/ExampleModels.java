package io.github.qalign.examples.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The embedded reward model of the experiment: a Bradley-Terry {@code LlamaForSequenceClassification} on the
 * stories260K backbone, trained by {@link io.github.qalign.examples.train.TrainRewardModel} (see its
 * PROVENANCE.md), shipped under {@value #RESOURCE_DIR}.
 */
public final class ExampleModels {

    /** The classpath directory of the embedded reward model. */
    public static final String RESOURCE_DIR = "io/github/qalign/examples/models/stories260k-rm/";

    /** The files of the embedded reward model. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "PROVENANCE.md");

    /**
     * The beta used with the embedded reward model when none is given: tuned to about 50% QAlign acceptance on the
     * held-out prompts (see docs/results.md).
     */
    public static final double DEFAULT_BETA = 0.25;

    private ExampleModels() {
    }

    /**
     * A real directory holding the embedded reward model: the resource directory itself when the classes run from
     * disk, else a copy extracted once to {@code ${java.io.tmpdir}/qalign-models/stories260k-rm-<size>}.
     *
     * @return the checkpoint directory
     * @throws IllegalStateException if the resources are missing from the classpath
     */
    public static Path storiesRewardModel() {
        URL url = ExampleModels.class.getClassLoader().getResource(RESOURCE_DIR + "config.json");
        if (url == null) {
            throw new IllegalStateException("embedded reward model missing from the classpath: " + RESOURCE_DIR);
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI()).getParent();
            }
            return extract();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded reward model: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad resource URL " + url, e);
        }
    }

    private static Path extract() throws IOException {
        long size = 0;
        for (String f : FILES) {
            URL u = ExampleModels.class.getClassLoader().getResource(RESOURCE_DIR + f);
            if (u == null) {
                throw new IllegalStateException("embedded reward model file missing: " + RESOURCE_DIR + f);
            }
            size += u.openConnection().getContentLengthLong();
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "qalign-models", "stories260k-rm-" + size);
        if (Files.isRegularFile(dir.resolve("PROVENANCE.md"))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), "extract-");
        for (String f : FILES) {
            try (InputStream in = ExampleModels.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + f)) {
                Files.copy(in, tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(dir.resolve("PROVENANCE.md"))) {
                throw e;
            }
        }
        return dir;
    }
}
