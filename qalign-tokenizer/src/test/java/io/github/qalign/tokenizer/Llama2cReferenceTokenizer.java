package io.github.qalign.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent re-implementation of llama2.c's tokenizer ({@code run.c}: {@code build_tokenizer},
 * {@code encode}, {@code decode}), written for tests from the algorithm, operating on raw bytes like the C code:
 * dummy {@code " "} prefix for non-empty text, UTF-8 code point split with lookup or byte fallback ({@code byte+3}),
 * then repeatedly merging the adjacent pair whose concatenated piece has the strictly highest score (so the leftmost
 * wins ties). It deliberately shares no code with the converter.
 */
final class Llama2cReferenceTokenizer {

    private final byte[][] pieces;
    private final float[] scores;
    private final Map<String, Integer> lookup = new HashMap<>();

    Llama2cReferenceTokenizer(InputStream tokenizerBin, int vocabSize) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(tokenizerBin.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.getInt();
        pieces = new byte[vocabSize][];
        scores = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            scores[i] = b.getFloat();
            pieces[i] = new byte[b.getInt()];
            b.get(pieces[i]);
            // latin-1 maps bytes 1:1 to chars, so the key is the exact byte string
            lookup.putIfAbsent(new String(pieces[i], StandardCharsets.ISO_8859_1), i);
        }
    }

    private int strLookup(byte[] bytes, int len) {
        Integer id = lookup.get(new String(bytes, 0, len, StandardCharsets.ISO_8859_1));
        return id == null ? -1 : id;
    }

    /** llama2.c {@code encode(t, text, bos, eos, tokens, &n)}. */
    int[] encode(String text, boolean bos, boolean eos) {
        byte[] s = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> tokens = new ArrayList<>();
        if (bos) {
            tokens.add(1);
        }
        if (s.length > 0) {
            tokens.add(strLookup(new byte[] {' '}, 1));
        }
        byte[] buf = new byte[8];
        int len = 0;
        for (int i = 0; i < s.length; i++) {
            if ((s[i] & 0xC0) != 0x80) {
                len = 0;
            }
            buf[len++] = s[i];
            if (i + 1 < s.length && (s[i + 1] & 0xC0) == 0x80 && len < 4) {
                continue;
            }
            int id = strLookup(buf, len);
            if (id != -1) {
                tokens.add(id);
            } else {
                for (int k = 0; k < len; k++) {
                    tokens.add((buf[k] & 0xFF) + 3);
                }
            }
            len = 0;
        }
        while (true) {
            float bestScore = -1e10f;
            int bestId = -1;
            int bestIdx = -1;
            for (int i = 0; i < tokens.size() - 1; i++) {
                byte[] a = pieces[tokens.get(i)];
                byte[] b = pieces[tokens.get(i + 1)];
                byte[] cat = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, cat, a.length, b.length);
                int id = strLookup(cat, cat.length);
                if (id != -1 && scores[id] > bestScore) {
                    bestScore = scores[id];
                    bestId = id;
                    bestIdx = i;
                }
            }
            if (bestIdx == -1) {
                break;
            }
            tokens.set(bestIdx, bestId);
            tokens.remove(bestIdx + 1);
        }
        if (eos) {
            tokens.add(2);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /** llama2.c {@code decode(t, prev, token)}: the bytes printed for {@code token} after {@code prev}. */
    byte[] decodePiece(int prev, int token) {
        byte[] piece = pieces[token];
        int start = prev == 1 && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        String p = new String(piece, start, piece.length - start, StandardCharsets.ISO_8859_1);
        if (p.length() == 6 && p.startsWith("<0x") && p.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(p.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                // not a byte piece
            }
        }
        return Arrays.copyOfRange(piece, start, piece.length);
    }

    /** What run.c prints for a sequence: every token after the first, decoded against its predecessor. */
    String decodeLikeRunC(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i < ids.length; i++) {
            out.writeBytes(decodePiece(ids[i - 1], ids[i]));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
