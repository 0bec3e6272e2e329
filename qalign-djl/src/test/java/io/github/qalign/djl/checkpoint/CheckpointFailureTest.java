package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every kind of broken checkpoint fails with a CheckpointException naming the file and tensor, never a crash. */
class CheckpointFailureTest extends CheckpointTestSupport {

    private static CheckpointException openFails(Path dir) {
        try {
            HfCheckpoint.open(dir).close();
        } catch (CheckpointException e) {
            return e;
        }
        throw new AssertionError("expected a CheckpointException for " + dir);
    }

    private static CheckpointException safetensorsFails(Path file) {
        try {
            SafetensorsFile.open(file).close();
        } catch (CheckpointException e) {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.getMessage()).startsWith(file.toString());
            return e;
        }
        throw new AssertionError("expected a CheckpointException for " + file);
    }

    private Path tinyCheckpoint(int shards) throws IOException {
        Path dir = tmp.resolve("ck");
        TinyCheckpoint.write(dir, TinyCheckpoint.causalConfig(false), 1, shards, "F32");
        return dir;
    }

    @Test
    void missingDirectoryConfigAndWeights() throws IOException {
        assertThat(openFails(tmp.resolve("nope")).getMessage()).contains("nope").contains("directory not found");
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        assertThat(openFails(dir).getMessage()).contains("config.json").contains("missing");
        LlamaConfigJson.write(TinyCheckpoint.causalConfig(true), dir.resolve("config.json"));
        assertThat(openFails(dir).getMessage()).contains("model.safetensors").contains("missing weights");
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1});
        assertThat(openFails(dir).getMessage()).contains("pytorch_model.bin");
    }

    @Test
    void corruptConfigAndUnsupportedArchitecture() throws IOException {
        Path dir = tinyCheckpoint(1);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\",");
        assertThat(openFails(dir).getMessage()).contains("config.json").contains("corrupt JSON");
        for (String arch : new String[] {"MistralForCausalLM", "GPT2LMHeadModel"}) {
            Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"" + arch + "\"], \"vocab_size\": 40,"
                    + " \"hidden_size\": 16, \"intermediate_size\": 24, \"num_hidden_layers\": 2,"
                    + " \"num_attention_heads\": 4}");
            assertThat(openFails(dir).getMessage()).contains("config.json").contains("unsupported architecture '" + arch);
        }
    }

    @Test
    void tensorShapeNotMatchingTheConfig() throws IOException {
        Path dir = tinyCheckpoint(1);
        LlamaConfig wider = new LlamaConfig(LlamaConfig.CAUSAL_LM, 40, 16, 32, 2, 4, 2, 4, 64, 1e-5, 10000.0, null,
                false, 0, 1, new int[] {2}, -1);
        LlamaConfigJson.write(wider, dir.resolve("config.json"));
        CheckpointException e = openFails(dir);
        assertThat(e.tensor()).isEqualTo("model.layers.0.mlp.gate_proj.weight");
        assertThat(e.getMessage()).contains("model.safetensors").contains("gate_proj")
                .contains("[24, 16]").contains("[32, 16]");
    }

    @Test
    void missingTensor() throws IOException {
        Path dir = tmp.resolve("ck");
        LlamaConfig c = TinyCheckpoint.causalConfig(false);
        Files.createDirectories(dir);
        LlamaConfigJson.write(c, dir.resolve("config.json"));
        SafetensorsWriter w = new SafetensorsWriter();
        TinyCheckpoint.randomWeights(c, 1).forEach((k, v) -> {
            if (!k.equals("model.layers.1.self_attn.v_proj.weight")) {
                w.add(k, v, HfCheckpoint.expectedShapes(c).get(k));
            }
        });
        w.write(dir.resolve("model.safetensors"));
        CheckpointException e = openFails(dir);
        assertThat(e.tensor()).isEqualTo("model.layers.1.self_attn.v_proj.weight");
        assertThat(e.getMessage()).contains("missing tensor").contains("[8, 16]");
    }

    @Test
    void shardIndexNamingAMissingShardOrAWrongShardOrAnEscapingPath() throws IOException {
        Path dir = tinyCheckpoint(2);
        Path index = dir.resolve("model.safetensors.index.json");
        String good = Files.readString(index);
        Files.delete(dir.resolve(TinyCheckpoint.shardName(1, 2)));
        CheckpointException e = openFails(dir);
        assertThat(e.getMessage()).contains(TinyCheckpoint.shardName(1, 2)).contains("missing");
        assertThat(e.tensor()).isNotNull();

        Path dir2 = tmp.resolve("ck2");
        TinyCheckpoint.write(dir2, TinyCheckpoint.causalConfig(false), 1, 2, "F32");
        Path index2 = dir2.resolve("model.safetensors.index.json");
        // model.norm.weight is in some shard; claim it is in the other one
        String text = Files.readString(index2);
        String a = TinyCheckpoint.shardName(0, 2);
        String b = TinyCheckpoint.shardName(1, 2);
        String moved = text.replace("\"model.norm.weight\": \"" + a + "\"", "\"model.norm.weight\": \"X\"")
                .replace("\"model.norm.weight\": \"" + b + "\"", "\"model.norm.weight\": \"" + a + "\"")
                .replace("\"model.norm.weight\": \"X\"", "\"model.norm.weight\": \"" + b + "\"");
        Files.writeString(index2, moved);
        CheckpointException e2 = openFails(dir2);
        assertThat(e2.tensor()).isEqualTo("model.norm.weight");
        assertThat(e2.getMessage()).contains("does not contain it");

        Files.writeString(index2, text.replace("\"" + a + "\"", "\"../" + a + "\""));
        assertThat(openFails(dir2).getMessage()).contains("invalid shard file name");
        Files.writeString(index, "{\"weight_map\": {}}");
        assertThat(openFails(dir).getMessage()).contains("model.safetensors.index.json").contains("weight_map");
        assertThat(good).contains("weight_map");
    }

    @Test
    void truncatedAndImpossibleHeaderLengths() throws IOException {
        Path f = Files.write(tmp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertThat(safetensorsFails(f).getMessage()).contains("truncated");
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path past = RawSafetensors.write(tmp.resolve("past.safetensors"), h.length + 100, h, RawSafetensors.f32(1));
        assertThat(safetensorsFails(past).getMessage()).contains("header length").contains("impossible");
        Path absurd = RawSafetensors.write(tmp.resolve("absurd.safetensors"), Long.MAX_VALUE, h, RawSafetensors.f32(1));
        assertThat(safetensorsFails(absurd).getMessage()).contains("header length");
        Path negative = RawSafetensors.write(tmp.resolve("neg.safetensors"), -8, h, RawSafetensors.f32(1));
        assertThat(safetensorsFails(negative).getMessage()).contains("header length 18446744073709551608");
        Path zero = RawSafetensors.write(tmp.resolve("zero.safetensors"), 0, new byte[0], new byte[0]);
        assertThat(safetensorsFails(zero).getMessage()).contains("header length 0");
    }

    @Test
    void corruptHeaderJson() throws IOException {
        Path f = RawSafetensors.write(tmp.resolve("bad.safetensors"), "{\"a\":{\"dtype\":", new byte[4]);
        assertThat(safetensorsFails(f).getMessage()).contains("corrupt safetensors header JSON");
        Path arr = RawSafetensors.write(tmp.resolve("arr.safetensors"), "[1, 2]", new byte[0]);
        assertThat(safetensorsFails(arr).getMessage()).contains("not a JSON object");
        Path noShape = RawSafetensors.write(tmp.resolve("ns.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]);
        CheckpointException e = safetensorsFails(noShape);
        assertThat(e.tensor()).isEqualTo("a");
        assertThat(e.getMessage()).contains("'shape'");
        Path negShape = RawSafetensors.write(tmp.resolve("neg.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertThat(safetensorsFails(negShape).getMessage()).contains("invalid shape");
    }

    @Test
    void offsetsOutOfRangeOverlappingOrNotMatchingTheShape() throws IOException {
        Path range = RawSafetensors.write(tmp.resolve("range.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", RawSafetensors.f32(1, 2));
        CheckpointException e = safetensorsFails(range);
        assertThat(e.tensor()).isEqualTo("w");
        assertThat(e.getMessage()).contains("out of range").contains("8 bytes");
        Path backwards = RawSafetensors.write(tmp.resolve("back.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", RawSafetensors.f32(1, 2));
        assertThat(safetensorsFails(backwards).getMessage()).contains("out of range");
        Path overlap = RawSafetensors.write(tmp.resolve("overlap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                RawSafetensors.f32(1, 2, 3));
        CheckpointException o = safetensorsFails(overlap);
        assertThat(o.tensor()).isEqualTo("b");
        assertThat(o.getMessage()).contains("overlaps tensor 'a'");
        Path mismatch = RawSafetensors.write(tmp.resolve("mismatch.safetensors"),
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", RawSafetensors.f32(1, 2));
        assertThat(safetensorsFails(mismatch).getMessage()).contains("byte length 8 does not match shape [3] x F16 (6 bytes)");
        Path overflow = RawSafetensors.write(tmp.resolve("overflow.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}",
                RawSafetensors.f32(1, 2));
        assertThat(safetensorsFails(overflow).getMessage()).contains("overflows");
    }

    @Test
    void unsupportedDtypes() throws IOException {
        Path unknown = RawSafetensors.write(tmp.resolve("q4.safetensors"),
                "{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
        assertThat(safetensorsFails(unknown).getMessage()).contains("unknown dtype 'Q4_K'");
        Path ints = RawSafetensors.write(tmp.resolve("i64.safetensors"),
                "{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        try (SafetensorsFile st = SafetensorsFile.open(ints)) {
            assertThatThrownBy(() -> st.load("w", manager, DataType.FLOAT32))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("i64.safetensors").hasMessageContaining("'w'")
                    .hasMessageContaining("dtype I64 is not supported");
            assertThatThrownBy(() -> st.readFloats("w")).isInstanceOf(CheckpointException.class);
            assertThatThrownBy(() -> st.load("nope", manager, DataType.FLOAT32))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("'nope'");
        }
    }

    @Test
    void unknownTensorThroughTheCheckpoint() throws IOException {
        try (HfCheckpoint ck = HfCheckpoint.open(tinyCheckpoint(1))) {
            assertThatThrownBy(() -> ck.load("model.layers.9.mlp.up_proj.weight", manager, DataType.FLOAT32))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("model.layers.9.mlp.up_proj.weight");
        }
    }

    @Test
    void missingOrCorruptTokenizer() throws IOException {
        Path dir = tinyCheckpoint(1);
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            assertThatThrownBy(ck::tokenizer).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("tokenizer.json").hasMessageContaining("missing");
            Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": ");
            assertThatThrownBy(ck::tokenizer).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("tokenizer.json").hasMessageContaining("corrupt JSON");
            Files.writeString(dir.resolve("tokenizer.json"),
                    "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": 5}}");
            assertThatThrownBy(ck::tokenizer).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("tokenizer.json").hasMessageContaining("cannot load tokenizer");
            Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 1,");
            assertThatThrownBy(ck::chatTemplate).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("tokenizer_config.json");
        }
    }

    @Test
    void decodingIdsOutsideTheVocabularyIsRejected() {
        try (HfTokenizer t = HfTokenizer.open(EmbeddedModels.stories260k())) {
            assertThat(t.vocabSize()).isEqualTo(512);
            assertThatThrownBy(() -> t.decode(new int[] {5, 512}, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
            assertThatThrownBy(() -> t.decode(new int[] {-1}, true)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
