package io.github.qalign.djl.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.LlamaConfigJson;
import io.github.qalign.djl.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts a llama2.c model ({@code run.c} legacy checkpoint + {@code tokenizer.bin}) into a Hugging Face Llama
 * checkpoint directory: {@code config.json}, {@code generation_config.json}, {@code model.safetensors} (F32),
 * {@code tokenizer.json} and {@code tokenizer_config.json}. The output is byte-for-byte deterministic.
 *
 * <p><b>Weights.</b> llama2.c applies RoPE to interleaved pairs {@code (2j, 2j+1)} of each head; Hugging Face's
 * Llama rotates halves ({@code j} with {@code j + hd/2}). Like {@code convert_llama_weights_to_hf.py}, the rows of
 * {@code wq} and {@code wk} are permuted per head so that row {@code 2j+t} moves to {@code t*hd/2 + j}
 * ({@link #permuteRope}); everything else is copied ({@code w1→gate_proj}, {@code w3→up_proj},
 * {@code w2→down_proj}). The stored RoPE tables are checked against {@code rope_theta = 10000} and dropped.
 *
 * <p><b>Tokenizer.</b> llama2.c's {@code encode} prepends a dummy {@code " "} to non-empty text, splits it into
 * UTF-8 code points (looked up in the vocabulary, else byte tokens {@code byte + 3}) and then repeatedly merges the
 * adjacent pair whose concatenation is the vocabulary piece of highest score (leftmost on ties). The generated
 * {@code tokenizer.json} reproduces this with a BPE model with {@code byte_fallback}, the raw-space vocabulary of
 * {@code tokenizer.bin}, a {@code Prepend(" ")} normalizer (which skips empty input), no pre-tokenizer, and one
 * merge rule for every split of every vocabulary piece into two vocabulary pieces, ranked by the piece's score
 * (rules producing the same piece are adjacent). Decoding uses {@code ByteFallback}, {@code Fuse} and a
 * {@code Strip} of one leading space, which equals llama2.c's "drop the leading space after BOS" for sequences
 * that start with BOS (and for continuations via {@code HfTokenizer.decodeContinuation}).
 *
 * <p><b>Generation.</b> llama2.c's {@code run.c} stops when it samples BOS (id 1, the story separator of the
 * TinyStories training data). {@code config.json} keeps {@code eos_token_id 2}; {@code generation_config.json} lists
 * {@code eos_token_id [2, 1]} so that a Hugging Face-style generator stops at the same point.
 *
 * <p><b>Chat template.</b> {@code tokenizer_config.json} carries a minimal template, {@value #CHAT_TEMPLATE}: it
 * renders BOS followed by the contents of the user and assistant turns verbatim, in order, without separators
 * (system turns are dropped; the generation prompt adds nothing). So the chat path (render, then encode without
 * special tokens) of a single user message yields exactly the ids of encoding the user text with BOS, and a
 * user + assistant exchange renders as the story prefix followed by its continuation (which must carry its own
 * leading space, as {@code HfTokenizer.decodeContinuation} returns it).
 */
public final class Llama2cConverter {

    /** The chat template written to tokenizer_config.json. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] != 'system' %}{{ message['content'] }}{% endif %}{% endfor %}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Llama2cConverter() {
    }

    /**
     * Command line: {@code Llama2cConverter <model.bin> <tokenizer.bin> <output-dir>}.
     *
     * @param args the three paths
     * @throws IOException on an I/O error
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: Llama2cConverter <llama2c-model.bin> <tokenizer.bin> <output-dir>");
            System.exit(2);
            return;
        }
        convert(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.println("wrote " + Path.of(args[2]).toAbsolutePath());
    }

    /**
     * Converts a llama2.c model and tokenizer into a Hugging Face checkpoint directory (created if needed; the five
     * output files are overwritten).
     *
     * @param modelBin     legacy llama2.c checkpoint
     * @param tokenizerBin llama2.c tokenizer
     * @param outDir       destination directory
     * @return the config written
     * @throws IOException              on an I/O error
     * @throws IllegalArgumentException if an input is malformed or uses a different RoPE base
     */
    public static LlamaConfig convert(Path modelBin, Path tokenizerBin, Path outDir) throws IOException {
        Llama2cCheckpoint m = Llama2cCheckpoint.read(modelBin);
        Llama2cTokenizerFile tok = Llama2cTokenizerFile.read(tokenizerBin, m.vocabSize());
        checkRopeTables(m, 10000.0);
        LlamaConfig config = new LlamaConfig(LlamaConfig.CAUSAL_LM, m.vocabSize(), m.dim(), m.hiddenDim(),
                m.nLayers(), m.nHeads(), m.nKvHeads(), m.headSize(), m.seqLen(), 1e-5, 10000.0, null,
                m.sharedClassifier(), 0, 1, new int[] {2}, -1);
        Files.createDirectories(outDir);
        Files.write(outDir.resolve("config.json"),
                LlamaConfigJson.prettyBytes(LlamaConfigJson.toJson(config, Map.of("torch_dtype", "float32"))));
        Files.write(outDir.resolve("generation_config.json"), LlamaConfigJson.prettyBytes(generationConfig()));
        weights(m).write(outDir.resolve("model.safetensors"));
        Files.write(outDir.resolve("tokenizer.json"), LlamaConfigJson.prettyBytes(tokenizerJson(tok)));
        Files.write(outDir.resolve("tokenizer_config.json"),
                LlamaConfigJson.prettyBytes(tokenizerConfig(m.seqLen())));
        return config;
    }

    private static ObjectNode generationConfig() {
        ObjectNode g = JSON.createObjectNode();
        g.put("bos_token_id", 1);
        g.putArray("eos_token_id").add(2).add(1);
        return g;
    }

    /** Verifies that the stored RoPE tables are cos/sin of {@code pos * theta^(-2j/hd)}. */
    static void checkRopeTables(Llama2cCheckpoint m, double theta) {
        int half = m.headSize() / 2;
        for (int pos = 0; pos < m.seqLen(); pos++) {
            for (int j = 0; j < half; j++) {
                double angle = pos * Math.pow(theta, -2.0 * j / m.headSize());
                double re = m.freqCisReal()[pos * half + j];
                double im = m.freqCisImag()[pos * half + j];
                if (Math.abs(re - Math.cos(angle)) > 1e-3 || Math.abs(im - Math.sin(angle)) > 1e-3) {
                    throw new IllegalArgumentException("the checkpoint's RoPE table at position " + pos + ", pair "
                            + j + " does not match rope_theta " + theta);
                }
            }
        }
    }

    /** The HF tensors of a llama2.c model. */
    static SafetensorsWriter weights(Llama2cCheckpoint m) {
        int d = m.dim();
        int kv = m.kvDim();
        int h = m.hiddenDim();
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        w.add("model.embed_tokens.weight", m.tokEmb(), m.vocabSize(), d);
        for (int l = 0; l < m.nLayers(); l++) {
            String p = "model.layers." + l + ".";
            w.add(p + "input_layernorm.weight", Llama2cCheckpoint.layer(m.rmsAtt(), l, d), d);
            w.add(p + "self_attn.q_proj.weight",
                    permuteRope(Llama2cCheckpoint.layer(m.wq(), l, d * d), m.nHeads(), d, d), d, d);
            w.add(p + "self_attn.k_proj.weight",
                    permuteRope(Llama2cCheckpoint.layer(m.wk(), l, kv * d), m.nKvHeads(), kv, d), kv, d);
            w.add(p + "self_attn.v_proj.weight", Llama2cCheckpoint.layer(m.wv(), l, kv * d), kv, d);
            w.add(p + "self_attn.o_proj.weight", Llama2cCheckpoint.layer(m.wo(), l, d * d), d, d);
            w.add(p + "post_attention_layernorm.weight", Llama2cCheckpoint.layer(m.rmsFfn(), l, d), d);
            w.add(p + "mlp.gate_proj.weight", Llama2cCheckpoint.layer(m.w1(), l, h * d), h, d);
            w.add(p + "mlp.up_proj.weight", Llama2cCheckpoint.layer(m.w3(), l, h * d), h, d);
            w.add(p + "mlp.down_proj.weight", Llama2cCheckpoint.layer(m.w2(), l, d * h), d, h);
        }
        w.add("model.norm.weight", m.rmsFinal(), d);
        if (!m.sharedClassifier()) {
            w.add("lm_head.weight", m.wcls(), m.vocabSize(), d);
        }
        return w;
    }

    /**
     * Reorders the rows of a [heads*hd, cols] projection from interleaved RoPE pairs to rotate-half order: within
     * each head, row {@code 2j+t} moves to row {@code t*hd/2 + j}.
     *
     * @param w     row-major weights
     * @param heads number of heads
     * @param rows  heads × hd
     * @param cols  input width
     * @return the permuted copy
     */
    public static float[] permuteRope(float[] w, int heads, int rows, int cols) {
        return permute(w, heads, rows, cols, false);
    }

    /**
     * The inverse of {@link #permuteRope}.
     *
     * @param w     row-major weights in rotate-half order
     * @param heads number of heads
     * @param rows  heads × hd
     * @param cols  input width
     * @return the weights in interleaved order
     */
    public static float[] unpermuteRope(float[] w, int heads, int rows, int cols) {
        return permute(w, heads, rows, cols, true);
    }

    private static float[] permute(float[] w, int heads, int rows, int cols, boolean inverse) {
        if (rows % heads != 0 || (rows / heads) % 2 != 0 || w.length != rows * cols) {
            throw new IllegalArgumentException("cannot permute a " + rows + "x" + cols + " matrix of " + w.length
                    + " values over " + heads + " heads");
        }
        int hd = rows / heads;
        float[] out = new float[w.length];
        for (int head = 0; head < heads; head++) {
            for (int j = 0; j < hd / 2; j++) {
                for (int t = 0; t < 2; t++) {
                    int interleaved = head * hd + 2 * j + t;
                    int halves = head * hd + t * (hd / 2) + j;
                    int from = inverse ? halves : interleaved;
                    int to = inverse ? interleaved : halves;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }

    /** The HF token string of a llama2.c id: the special tokens get their usual names, everything else its piece. */
    static String tokenString(Llama2cTokenizerFile tok, int id) {
        switch (id) {
            case 0:
                return "<unk>";
            case 1:
                return "<s>";
            case 2:
                return "</s>";
            default:
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(tok.pieces()[id])).toString();
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("piece " + id + " is not valid UTF-8", e);
                }
        }
    }

    /**
     * Every merge rule: for each piece (by descending score, ties by id) every split into two pieces that are
     * themselves in the vocabulary, ordered by the length of the left part.
     *
     * @param tok the llama2.c tokenizer
     * @return pairs of token strings, in rank order
     */
    static List<String[]> merges(Llama2cTokenizerFile tok) {
        int n = tok.pieces().length;
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String piece = new String(tok.pieces()[i], StandardCharsets.UTF_8);
            if (ids.put(piece, i) != null) {
                throw new IllegalArgumentException("duplicate piece '" + piece + "' (id " + i + ")");
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort((a, b) -> {
            int c = Float.compare(tok.scores()[b], tok.scores()[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<String[]> merges = new ArrayList<>();
        for (int id : order) {
            if (id < 3) {
                continue;
            }
            String piece = new String(tok.pieces()[id], StandardCharsets.UTF_8);
            int[] cps = piece.codePoints().toArray();
            for (int k = 1; k < cps.length; k++) {
                String left = new String(cps, 0, k);
                String right = new String(cps, k, cps.length - k);
                Integer l = ids.get(left);
                Integer r = ids.get(right);
                if (l != null && r != null) {
                    if (l < 259 || r < 259) {
                        throw new IllegalArgumentException("piece " + id + " '" + piece
                                + "' splits into special or byte pieces " + l + " and " + r);
                    }
                    merges.add(new String[] {left, right});
                }
            }
        }
        return merges;
    }

    /** The tokenizer.json document. */
    static ObjectNode tokenizerJson(Llama2cTokenizerFile tok) {
        int n = tok.pieces().length;
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < 3; id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", tokenString(tok, id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "Prepend");
        norm.put("prepend", " ");
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(1);
        bos.putArray("tokens").add("<s>");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "Sequence");
        ArrayNode decs = dec.putArray("decoders");
        decs.addObject().put("type", "ByteFallback");
        decs.addObject().put("type", "Fuse");
        decs.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < n; id++) {
            vocab.put(tokenString(tok, id), id);
        }
        if (vocab.size() != n) {
            throw new IllegalArgumentException("vocabulary strings are not unique");
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] m : merges(tok)) {
            merges.addArray().add(m[0]).add(m[1]);
        }
        return root;
    }

    /** The tokenizer_config.json document. */
    static ObjectNode tokenizerConfig(int maxLength) {
        Map<String, Object> c = new TreeMap<>();
        c.put("add_bos_token", true);
        c.put("add_eos_token", false);
        c.put("bos_token", "<s>");
        c.put("eos_token", "</s>");
        c.put("unk_token", "<unk>");
        c.put("pad_token", null);
        c.put("chat_template", CHAT_TEMPLATE);
        c.put("clean_up_tokenization_spaces", false);
        c.put("model_max_length", maxLength);
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        return JSON.valueToTree(c);
    }
}
