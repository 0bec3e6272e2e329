package io.github.qalign.examples.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.checkpoint.LlamaConfigJson;
import io.github.qalign.djl.checkpoint.SafetensorsWriter;
import io.github.qalign.djl.llama.LlamaModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Creates a reward model from a policy checkpoint (backbone copied, new {@code score} head, no LM head) and saves a
 * trained one in Hugging Face {@code LlamaForSequenceClassification} layout.
 */
public final class RewardModels {

    private RewardModels() {
    }

    /** The reward-model configuration of a policy: same backbone, sequence classification with one label. */
    public static LlamaConfig rewardConfig(LlamaConfig policy) {
        int pad = policy.padTokenId() >= 0 ? policy.padTokenId() : 0;
        return new LlamaConfig(LlamaConfig.SEQUENCE_CLASSIFICATION, policy.vocabSize(), policy.hiddenSize(),
                policy.intermediateSize(), policy.numHiddenLayers(), policy.numAttentionHeads(),
                policy.numKeyValueHeads(), policy.headDim(), policy.maxPositionEmbeddings(), policy.rmsNormEps(),
                policy.ropeTheta(), policy.ropeScaling(), false, 1, policy.bosTokenId(), policy.eosTokenIds(), pad);
    }

    /**
     * A reward model initialised from the policy: every backbone weight copied, {@code score.weight} drawn from
     * N(0, initStd^2) with a seeded generator, the LM head dropped.
     *
     * @param policy  the policy checkpoint
     * @param initStd standard deviation of the score head's initial weights
     * @param seed    seed of the score head's initial weights
     * @return the model (FLOAT32, CPU)
     */
    public static LlamaModel fromPolicy(HfCheckpoint policy, double initStd, long seed) {
        LlamaConfig rc = rewardConfig(policy.config());
        NDManager m = DjlRuntime.engine().newBaseManager(Device.cpu());
        try {
            Map<String, NDArray> w = new HashMap<>(policy.loadAll(m, DataType.FLOAT32));
            NDArray lm = w.remove("lm_head.weight");
            if (lm != null) {
                lm.close();
            }
            SplittableRandom rng = new SplittableRandom(seed);
            float[] score = new float[rc.hiddenSize()];
            for (int i = 0; i < score.length; i++) {
                score[i] = (float) (gaussian(rng) * initStd);
            }
            w.put("score.weight", m.create(score, new Shape(1, rc.hiddenSize())));
            return LlamaModel.create(rc, w, Device.cpu(), DataType.FLOAT32);
        } finally {
            m.close();
        }
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Writes {@code model} (a sequence-classification model) as a Hugging Face checkpoint: config.json,
     * model.safetensors (F32, HF names: q/k/v and gate/up un-fused, the folded attention scale undone, score.weight,
     * no lm_head) and the tokenizer files copied from {@code tokenizerDir}.
     *
     * @param model        the model
     * @param dir          the output directory (created)
     * @param tokenizerDir directory holding tokenizer.json (and tokenizer_config.json if present)
     * @param metadata     extra safetensors metadata
     */
    public static void save(LlamaModel model, Path dir, Path tokenizerDir, Map<String, String> metadata) {
        LlamaConfig c = model.config();
        if (!c.isSequenceClassification()) {
            throw new IllegalArgumentException("not a sequence-classification model: " + c.architecture());
        }
        try {
            Files.createDirectories(dir);
            SafetensorsWriter w = new SafetensorsWriter();
            metadata.forEach(w::metadata);
            Map<String, NDArray> p = model.parameters();
            int hd = c.headDim();
            int qRows = c.numAttentionHeads() * hd;
            int kvRows = c.numKeyValueHeads() * hd;
            int d = c.hiddenSize();
            int inter = c.intermediateSize();
            add(w, "model.embed_tokens.weight", p.get("model.embed_tokens.weight"));
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                String pre = "model.layers." + i + ".";
                add(w, pre + "input_layernorm.weight", p.get(pre + "input_layernorm.weight"));
                float[] qkv = p.get(pre + "self_attn.qkv_proj.weight").toFloatArray();
                float[] q = Arrays.copyOfRange(qkv, 0, qRows * d);
                float unscale = (float) Math.sqrt(hd);
                for (int j = 0; j < q.length; j++) {
                    q[j] *= unscale;
                }
                w.add(pre + "self_attn.q_proj.weight", q, qRows, d);
                w.add(pre + "self_attn.k_proj.weight", Arrays.copyOfRange(qkv, qRows * d, (qRows + kvRows) * d),
                        kvRows, d);
                w.add(pre + "self_attn.v_proj.weight", Arrays.copyOfRange(qkv, (qRows + kvRows) * d,
                        (qRows + 2 * kvRows) * d), kvRows, d);
                add(w, pre + "self_attn.o_proj.weight", p.get(pre + "self_attn.o_proj.weight"));
                add(w, pre + "post_attention_layernorm.weight", p.get(pre + "post_attention_layernorm.weight"));
                float[] gu = p.get(pre + "mlp.gate_up_proj.weight").toFloatArray();
                w.add(pre + "mlp.gate_proj.weight", Arrays.copyOfRange(gu, 0, inter * d), inter, d);
                w.add(pre + "mlp.up_proj.weight", Arrays.copyOfRange(gu, inter * d, 2 * inter * d), inter, d);
                add(w, pre + "mlp.down_proj.weight", p.get(pre + "mlp.down_proj.weight"));
            }
            add(w, "model.norm.weight", p.get("model.norm.weight"));
            add(w, "score.weight", p.get("score.weight"));
            w.write(dir.resolve(HfCheckpoint.WEIGHTS));
            LlamaConfigJson.write(c, dir.resolve(HfCheckpoint.CONFIG));
            Files.copy(tokenizerDir.resolve(HfCheckpoint.TOKENIZER), dir.resolve(HfCheckpoint.TOKENIZER),
                    StandardCopyOption.REPLACE_EXISTING);
            Path tc = tokenizerDir.resolve(HfCheckpoint.TOKENIZER_CONFIG);
            if (Files.isRegularFile(tc)) {
                Files.copy(tc, dir.resolve(HfCheckpoint.TOKENIZER_CONFIG), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write reward model to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void add(SafetensorsWriter w, String name, NDArray a) {
        if (a == null) {
            throw new IllegalStateException("model has no parameter " + name);
        }
        long[] shape = a.getShape().getShape();
        w.add(name, a.toFloatArray(), shape);
    }
}
