package io.github.qalign.utility;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.utility.PorterStemmer.Mode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The stemmer against NLTK 3.8's PorterStemmer in its three modes (test resource {@code rouge/porter.tsv}). */
class PorterStemmerTest {

    private static List<String[]> table() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(PorterStemmerTest.class.getResourceAsStream(
                "/rouge/porter.tsv"), "rouge/porter.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith("#")) {
                    rows.add(line.split("\t", -1));
                }
            }
        }
        return rows;
    }

    @Test
    void everyModeMatchesNltkOnEveryWord() throws IOException {
        List<String[]> rows = table();
        assertThat(rows).hasSizeGreaterThan(3000);
        Mode[] modes = {Mode.NLTK_EXTENSIONS, Mode.MARTIN_EXTENSIONS, Mode.ORIGINAL_ALGORITHM};
        int[] differFromNltk = new int[3];
        for (String[] row : rows) {
            for (int m = 0; m < 3; m++) {
                assertThat(PorterStemmer.of(modes[m]).stem(row[0])).as("%s in %s", row[0], modes[m])
                        .isEqualTo(row[m + 1]);
                if (!row[m + 1].equals(row[1])) {
                    differFromNltk[m]++;
                }
            }
        }
        // the modes really differ on this vocabulary, so the table exercises the mode-specific rules
        assertThat(differFromNltk[1]).isGreaterThan(50);
        assertThat(differFromNltk[2]).isGreaterThan(50);
    }

    @Test
    void paperExamplesAndNltkExtensions() {
        PorterStemmer s = PorterStemmer.nltk();
        assertThat(s.mode()).isEqualTo(Mode.NLTK_EXTENSIONS);
        assertThat(s.stem("caresses")).isEqualTo("caress");
        assertThat(s.stem("relational")).isEqualTo("relat");
        assertThat(s.stem("hopping")).isEqualTo("hop");
        assertThat(s.stem("Generalizations")).isEqualTo("gener");
        assertThat(s.stem("skies")).isEqualTo("sky");
        assertThat(s.stem("enjoy")).isEqualTo("enjoy");
        assertThat(PorterStemmer.of(Mode.MARTIN_EXTENSIONS).stem("enjoy")).isEqualTo("enjoi");
    }
}
