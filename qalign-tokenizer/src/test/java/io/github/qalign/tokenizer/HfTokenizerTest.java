package io.github.qalign.tokenizer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class HfTokenizerTest {

    private static HfTokenizer tok;
    private static Llama2cReferenceTokenizer reference;

    @BeforeAll
    static void open() throws IOException {
        tok = HfTokenizer.open(TestData.stories260k().resolve("tokenizer.json"));
        try (InputStream in = HfTokenizerTest.class.getResourceAsStream("/llama2c/stories260K/tok512.bin")) {
            reference = new Llama2cReferenceTokenizer(in, 512);
        }
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void longInputsAreNeverTruncated() {
        String story = "Once upon a time, there was a little girl named Lily. She loved to play outside. ";
        String text = story.repeat(40);
        int[] ids = tok.encode(text, true);
        assertThat(ids.length).isGreaterThan(1000);
        assertThat(ids).containsExactly(reference.encode(text, true, false));
        assertThat(tok.decode(ids, true)).isEqualTo(text);
    }

    @Test
    void tokenIdsVocabularyAndSpecialTokens() {
        assertThat(tok.tokenId("<s>")).hasValue(1);
        assertThat(tok.tokenId("</s>")).hasValue(2);
        assertThat(tok.tokenId("<unk>")).hasValue(0);
        assertThat(tok.tokenId("<0x0A>")).hasValue(13);
        assertThat(tok.tokenId(" the")).hasValue(265);
        assertThat(tok.tokenId("no such piece")).isEmpty();
        assertThat(tok.vocabSize()).isEqualTo(512);
        assertThat(tok.bosToken()).isEqualTo("<s>");
        assertThat(tok.eosToken()).isEqualTo("</s>");
        assertThat(tok.decode(new int[] {1, 2}, false)).isEqualTo("<s></s>");
        assertThat(tok.decode(new int[] {1, 2}, true)).isEmpty();
    }

    @Test
    void specialTokenStringsInTextBecomeSingleIdsAsInTransformers() {
        // a deliberate difference from llama2.c, which would spell "<s>" out as characters
        int[] ids = tok.encode("<s>Hi", false);
        assertThat(ids[0]).isEqualTo(1);
        assertThat(Arrays.copyOfRange(ids, 1, ids.length)).containsExactly(tok.encode("Hi", false));
    }

    @Test
    void continuationKeepsItsLeadingSpaceSoPromptPlusContinuationIsTheFullText() {
        int[] prompt = tok.encode("Once upon a", true);
        int[] full = tok.encode("Once upon a time there", true);
        assertThat(Arrays.copyOf(full, prompt.length)).containsExactly(prompt);
        int[] cont = Arrays.copyOfRange(full, prompt.length, full.length);
        String c = tok.decodeContinuation(prompt, cont, true);
        assertThat(c).isEqualTo(" time there");
        assertThat(tok.decode(prompt, true) + c).isEqualTo(tok.decode(full, true));
        // plain decode follows the Llama decoder and strips the first space
        assertThat(tok.decode(cont, true)).isEqualTo("time there");
        // llama2.c prints the same continuation text token by token
        StringBuilder runC = new StringBuilder();
        for (int i = prompt.length; i < full.length; i++) {
            runC.append(new String(reference.decodePiece(full[i - 1], full[i]), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(runC.toString()).isEqualTo(c);
    }

    @Test
    void nulAndUnpairedSurrogatesDoNotBreakEncoding() {
        // llama2.c (C strings) would stop at NUL; here it is byte-fallback token <0x00>
        assertThat(tok.encode("a\u0000b", false)).containsExactly(261, 3, 430);
        assertThat(tok.decode(tok.encode("a\u0000b", true), true)).isEqualTo("a\u0000b");
        assertThat(tok.encode("x\uD800y", false)).containsExactly(tok.encode("x\uFFFDy", false));
        assertThat(tok.encode("\uDC00\uD83D", false)).containsExactly(tok.encode("\uFFFD\uFFFD", false));
        assertThat(HfTokenizer.wellFormed("ok 😀 \uD800")).isEqualTo("ok 😀 \uFFFD");
        assertThat(HfTokenizer.wellFormed("plain")).isSameAs("plain");
    }

    @Test
    void byteFallbackDecodingOfSplitMultibyteCharacters() {
        int[] ids = tok.encode("中", false);
        assertThat(ids).containsExactly(410, 0xE4 + 3, 0xB8 + 3, 0xAD + 3);
        assertThat(tok.decode(ids, true)).isEqualTo("中");
        // an incomplete UTF-8 sequence decodes to replacement characters instead of failing
        assertThat(tok.decode(new int[] {0xE4 + 3, 0xB8 + 3}, true)).contains("\uFFFD");
    }
}
