package io.github.qalign.tokenizer;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test data of this module (see src/test/resources/PROVENANCE.md). */
final class TestData {

    private TestData() {
    }

    /** The stories260K tokenizer directory (tokenizer.json + tokenizer_config.json, copies of the embedded model's). */
    static Path stories260k() {
        return resource("/stories260k");
    }

    static Path resource(String name) {
        URL url = TestData.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
