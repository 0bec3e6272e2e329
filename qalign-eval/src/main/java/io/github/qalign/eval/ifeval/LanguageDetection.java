package io.github.qalign.eval.ifeval;

import com.cybozu.labs.langdetect.Detector;
import com.cybozu.labs.langdetect.DetectorFactory;
import com.cybozu.labs.langdetect.LangDetectException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The language of a text, by Cybozu's language-detection library: the Java original of which the Python
 * {@code langdetect} package used by IFEval's reference checker is a port (same n-gram naive Bayes with random
 * restarts, byte-identical profiles; the two profiles the port added, Catalan and Welsh, ship with this module).
 *
 * <p>The library keeps its profiles in static state; they are loaded once, on first use, with the seed fixed at 0
 * (as the reference does since it fixed {@code DetectorFactory.seed = 0}). The random restarts draw from
 * {@link java.util.Random} where Python draws from its own generator, so on texts whose language is genuinely
 * ambiguous (very short or mixed texts) the two can disagree.
 */
final class LanguageDetection {

    /**
     * The 55 profiles of the Python port, in sorted order: all but {@code ca} and {@code cy} are read from the
     * library's jar ({@code /profiles/}), those two from this module (see {@code langdetect/README.md}).
     */
    private static final String[] PROFILES = ("af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja "
            + "kn ko lt lv mk ml mr ne nl no pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh-cn zh-tw")
            .split(" ");
    private static final String EXTRA = "/io/github/qalign/eval/ifeval/langdetect/";

    private static boolean loaded;

    private LanguageDetection() {
    }

    /**
     * The detected ISO 639-1 code (as langdetect names it: "en", "zh-cn", ...), or empty when the text has no
     * features to judge by (only digits, punctuation or URLs), where the reference counts the instruction as followed.
     *
     * @param text any text
     * @return the language code, or empty if none can be detected
     */
    static Optional<String> detect(String text) {
        try {
            Detector d = DetectorFactory.create();
            d.append(text);
            return Optional.of(d.detect());
        } catch (LangDetectException e) {
            return Optional.empty();
        }
    }

    private static synchronized void load() {
        if (loaded) {
            return;
        }
        List<String> json = new ArrayList<>();
        for (String p : PROFILES) {
            String path = p.equals("ca") || p.equals("cy") ? EXTRA + p : "/profiles/" + p;
            try (InputStream in = LanguageDetection.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("language profile " + path + " is missing from the class path");
                }
                json.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("reading language profile " + path, e);
            }
        }
        try {
            DetectorFactory.clear();
            DetectorFactory.loadProfile(json);
            DetectorFactory.setSeed(0L);
        } catch (LangDetectException e) {
            throw new IllegalStateException("loading the langdetect profiles failed: " + e.getMessage(), e);
        }
        loaded = true;
    }

    static {
        load();
    }
}
