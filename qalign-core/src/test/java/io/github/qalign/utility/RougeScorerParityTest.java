package io.github.qalign.utility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Word-level ROUGE against values computed with Google's rouge_score algorithm and NLTK's Porter stemmer on 232 text
 * pairs (220 from GSM8K); see {@code rouge/SOURCES.md} and {@code src/test/scripts/rouge_golden.py}.
 */
class RougeScorerParityTest {

    private static List<JsonNode> pairs() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in = Objects.requireNonNull(RougeScorerParityTest.class.getResourceAsStream(
                "/rouge/pairs.jsonl"), "rouge/pairs.jsonl");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.add(json.readTree(line));
            }
        }
        return out;
    }

    private static void assertScore(Rouge.Score actual, JsonNode expected, String what) {
        // rouge_score does the same IEEE operations in the same order (integer counts, one division each, then
        // 2PR/(P+R)), so the values agree bit for bit; the assertion allows 1e-12 only to state the contract
        assertThat(actual.precision()).as("%s precision", what).isCloseTo(expected.get(0).asDouble(), within(1e-12));
        assertThat(actual.recall()).as("%s recall", what).isCloseTo(expected.get(1).asDouble(), within(1e-12));
        assertThat(actual.fmeasure()).as("%s fmeasure", what).isCloseTo(expected.get(2).asDouble(), within(1e-12));
    }

    @Test
    void rouge1Rouge2AndRougeLMatchRougeScoreOnEveryPair() throws IOException {
        List<JsonNode> pairs = pairs();
        assertThat(pairs).hasSize(232);
        int exact = 0;
        for (JsonNode p : pairs) {
            String t = p.get("target").asText();
            String c = p.get("prediction").asText();
            String src = p.get("source").asText();
            for (boolean stem : new boolean[] {false, true}) {
                JsonNode e = p.get(stem ? "stemmed" : "plain");
                String what = src + (stem ? " stemmed " : " plain ");
                assertScore(Rouge.rougeN(t, c, 1, stem), e.get("rouge1"), what + "rouge1");
                assertScore(Rouge.rougeN(t, c, 2, stem), e.get("rouge2"), what + "rouge2");
                assertScore(Rouge.rougeL(t, c, stem), e.get("rougeL"), what + "rougeL");
                if (Rouge.rougeL(t, c, stem).fmeasure() == e.get("rougeL").get(2).asDouble()
                        && Rouge.rougeN(t, c, 1, stem).fmeasure() == e.get("rouge1").get(2).asDouble()) {
                    exact++;
                }
            }
            List<String> tokens = new ArrayList<>();
            p.get("stemmed_tokens").forEach(n -> tokens.add(n.asText()));
            assertThat(Rouge.tokens(t, true)).as(src).isEqualTo(tokens);
        }
        assertThat(exact).as("bit-identical F-measures").isEqualTo(2 * pairs.size());
    }

    @Test
    void theMbrUtilitiesAgreeWithRougeScoreWhereItDefinesTheValue() throws IOException {
        for (JsonNode p : pairs()) {
            String t = p.get("target").asText();
            String c = p.get("prediction").asText();
            if (Rouge.words(t).isEmpty() || Rouge.words(c).isEmpty()) {
                continue; // the utilities score two empty texts 1 (u(a, a) = 1); rouge_score scores them 0
            }
            for (boolean stem : new boolean[] {false, true}) {
                JsonNode e = p.get(stem ? "stemmed" : "plain");
                assertThat(Rouge.rouge1Words(stem).apply(c, t)).isCloseTo(e.get("rouge1").get(2).asDouble(),
                        within(1e-12));
                assertThat(Rouge.rougeLWords(stem).apply(c, t)).isCloseTo(e.get("rougeL").get(2).asDouble(),
                        within(1e-12));
            }
        }
    }

    @Test
    void theIssueExampleAndTheEmptyConventions() {
        assertThat(Rouge.rougeN("Hello, world!", "hello world", 1, false)).isEqualTo(new Rouge.Score(1, 1, 1));
        assertThat(Rouge.rougeL("", "", false)).isEqualTo(new Rouge.Score(0, 0, 0));
        assertThat(Rouge.rougeN("", "", 1, false)).isEqualTo(new Rouge.Score(0, 0, 0));
        assertThat(Rouge.rouge1Words().apply("...", "")).isEqualTo(1.0);
        assertThat(Rouge.tokens("Don't stop-running, 3.5kg!", false))
                .containsExactly("don", "t", "stop", "running", "3", "5kg");
        assertThat(Rouge.tokens("Don't stop-running, 3.5kg!", true))
                .containsExactly("don", "t", "stop", "run", "3", "5kg");
    }
}
