package io.github.qalign.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HF tokenizer.json generated for stories260K must tokenize and detokenize exactly like llama2.c's run.c,
 * checked against an independent Java re-implementation of run.c's encode/decode on the original tok512.bin.
 */
class Llama2cTokenizerAgreementTest {

    private static Llama2cReferenceTokenizer reference;
    private static HfTokenizer hf;
    private static List<String> vocabPieces;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = Llama2cTokenizerAgreementTest.class.getResourceAsStream(
                "/llama2c/stories260K/tok512.bin")) {
            reference = new Llama2cReferenceTokenizer(in, 512);
        }
        hf = HfTokenizer.open(TestData.stories260k());
        vocabPieces = new ArrayList<>();
        for (int id = 259; id < 512; id++) {
            vocabPieces.add(hf.decode(new int[] {410, id}, false).substring(0));
        }
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    static final List<String> CORPUS = List.of(
            "Once upon a time, there was a little girl named Lily.",
            "Once upon a time",
            "She loved to play outside in the park. One day, she saw a big, red ball.",
            "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do.",
            "Tom and Sue were friends. They liked to run, jump and play!\nThe end.",
            "Hello, world! How are you? I'm fine; thanks: (really) [yes] {no} <tag> a/b\\c 50% $3 #1 @x ~y `z` ^ & * + =",
            "12345 67890 3.14159 -42 +7 1,000,000 2024-11-27",
            "line one\nline two\n\nline four\r\nwindows\ttab",
            "   leading spaces",
            "trailing spaces   ",
            "multiple    spaces  between   words",
            " ",
            "  ",
            "\n",
            "a",
            "the",
            " the",
            "café résumé naïve façade élan señor",
            "中文字符测试",
            "emoji 😀🎉👍🏽 and ZWJ 👩‍👩‍👧",
            "mixed: Ωμέγα, Кириллица, العربية, हिन्दी, 日本語",
            "quotes “double” ‘single’ — dash – en … ellipsis € ™",
            "nbsp\u00a0here and hair\u200aspace",
            "The the THE tHe theThe",
            "her here hero herself other whether",
            "he said he had her hat; she had her own.",
            "ended bent went spent outer stout out about");

    @Test
    void corpusEncodesIdenticallyWithAndWithoutBos() {
        for (String text : CORPUS) {
            assertThat(hf.encode(text, true)).as("with BOS: %s", text).containsExactly(reference.encode(text, true, false));
            assertThat(hf.encode(text, false)).as("without BOS: %s", text).containsExactly(reference.encode(text, false, false));
        }
    }

    @Test
    void emptyStringIsJustBos() {
        assertThat(reference.encode("", true, false)).containsExactly(1);
        assertThat(hf.encode("", true)).containsExactly(1);
        assertThat(hf.encode("", false)).isEmpty();
        assertThat(hf.decode(new int[] {1}, true)).isEmpty();
    }

    @Test
    void corpusRoundTripsExactlyAndDecodesLikeRunC() {
        for (String text : CORPUS) {
            int[] ids = reference.encode(text, true, false);
            assertThat(reference.decodeLikeRunC(ids)).as("reference round trip: %s", text).isEqualTo(text);
            assertThat(hf.decode(ids, true)).as("hf decode: %s", text).isEqualTo(text);
        }
    }

    @Test
    void knownEncodingOfAStoryPrefix() {
        // pinned ids (tok512.bin pieces 403 " Once", 407 " upon", 261 " a", 378 " time") so that the two
        // implementations cannot drift together
        int[] ids = hf.encode("Once upon a time", true);
        assertThat(ids).containsExactly(1, 403, 407, 261, 378);
        assertThat(reference.encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
        assertThat(hf.decode(ids, false)).isEqualTo("<s> Once upon a time");
    }

    @Test
    void storiesFromTheModelCardAgree() throws IOException {
        for (String file : List.of("/llama2c/stories260K/expected_greedy_steps200.txt",
                "/llama2c/stories260K/doc_stories260K.md")) {
            String text;
            try (InputStream in = getClass().getResourceAsStream(file)) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            int[] want = reference.encode(text, true, false);
            assertThat(want.length).isGreaterThan(100);
            assertThat(hf.encode(text, true)).as(file).containsExactly(want);
            assertThat(hf.decode(want, true)).isEqualTo(text);
        }
    }

    /**
     * Strings built from the pieces whose vocabulary entry has several splits (" the" = " t"+"he" = " th"+"e",
     * " her", "ver", "ked", "end", "ent", " had", "ved", "out", ...) and their parts: the only place where HF's
     * per-rule ranks could order merges differently from llama2.c's per-piece scores.
     */
    @Test
    void stringsDenseInMultiSplitPiecesAgree() {
        String[] parts = {" ", "h", "e", "r", "he", "er", " h", " he", " her", "her", "t", " t", " th", "th", "v",
            "ve", "ver", "o", "on", " o", " on", "ou", "ut", "out", "k", "ke", "ked", "ed", "d", "en", "nd", "nt",
            "end", "ent", "s", " s", "st", " st", "a", "ad", "ha", " ha", " had", "ved", "n"};
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(1, 16);
            for (int k = 0; k < len; k++) {
                sb.append(parts[r.nextInt(parts.length)]);
            }
            String text = sb.toString();
            assertThat(hf.encode(text, true)).as("#%d '%s'", i, text)
                    .containsExactly(reference.encode(text, true, false));
        }
    }

    /** Every concatenation of up to three such parts (22,000+ strings), exhaustively. */
    @Test
    void allShortConcatenationsOfMultiSplitPartsAgree() {
        String[] parts = {" ", "h", "e", "r", "he", "er", " h", " he", "t", " t", "th", "v", "ve", "o", "n", "ou",
            "ut", "k", "ke", "d", "en", "nd", "nt", "s", "st", "a", "ad", "ha"};
        int n = 0;
        for (String a : parts) {
            for (String b : parts) {
                for (String c : parts) {
                    for (String text : new String[] {a + b + c, a + b}) {
                        if (text.length() == (a + b).length() && !c.equals(parts[0])) {
                            continue;
                        }
                        assertThat(hf.encode(text, false)).as("'%s'", text)
                                .containsExactly(reference.encode(text, false, false));
                        n++;
                    }
                }
            }
        }
        assertThat(n).isEqualTo(parts.length * parts.length * (parts.length + 1));
    }

    @Test
    void randomStringsAgree() {
        SplittableRandom r = new SplittableRandom(20261127L);
        String[] exotic = {"é", "ñ", "中", "文", "😀", "\u00a0", "—", "“", "”", "’", "\t", "\n", "\r", "€", "™", "Ω",
            "\u0001", "\u007f", "ÿ", "\uFFFD"};
        int n = 600;
        int agreed = 0;
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(0, 40);
            for (int k = 0; k < len; k++) {
                int kind = r.nextInt(10);
                if (kind < 5) {
                    sb.append(vocabPieces.get(r.nextInt(vocabPieces.size())));
                } else if (kind < 8) {
                    sb.append((char) r.nextInt(32, 127));
                } else if (kind < 9) {
                    sb.append(exotic[r.nextInt(exotic.length)]);
                } else {
                    sb.appendCodePoint(r.nextInt(0x80, 0x2FFFF));
                }
            }
            String text = sb.toString();
            if (text.codePoints().anyMatch(cp -> cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                    || text.contains("<s>") || text.contains("</s>") || text.contains("<unk>")) {
                continue;
            }
            int[] want = reference.encode(text, true, false);
            assertThat(hf.encode(text, true)).as("random string #%d %s", i, text).containsExactly(want);
            assertThat(hf.decode(want, true)).as("decode #%d", i).isEqualTo(reference.decodeLikeRunC(want));
            assertThat(hf.decode(want, true)).isEqualTo(text);
            agreed++;
        }
        System.out.println("tokenizer agreement: " + agreed + " random strings identical (ids and text)");
        assertThat(agreed).isGreaterThan(550);
    }
}
