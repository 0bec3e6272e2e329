package io.github.qalign.djl.checkpoint;

import io.github.qalign.djl.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlamaConfigJsonTest {

    @TempDir
    Path tmp;

    // config.json of meta-llama/Llama-3.1-8B-Instruct as published
    static final String LLAMA31_8B_INSTRUCT = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
             "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.43.0.dev0", "use_cache": true, "vocab_size": 128256}
            """;

    private LlamaConfig parse(String config, String generation) throws IOException {
        Path c = Files.writeString(tmp.resolve("config.json"), config);
        Path g = tmp.resolve("generation_config.json");
        Files.deleteIfExists(g);
        if (generation != null) {
            Files.writeString(g, generation);
        }
        return LlamaConfigJson.read(c, g);
    }

    @Test
    void llama31InstructWithGqaAndLlama3RopeScaling() throws IOException {
        LlamaConfig c = parse(LLAMA31_8B_INSTRUCT, "{\"bos_token_id\": 128000, \"do_sample\": true,"
                + " \"eos_token_id\": [128001, 128008, 128009], \"temperature\": 0.6, \"top_p\": 0.9}");
        assertThat(c.architecture()).isEqualTo("LlamaForCausalLM");
        assertThat(c.vocabSize()).isEqualTo(128256);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.intermediateSize()).isEqualTo(14336);
        assertThat(c.numHiddenLayers()).isEqualTo(32);
        assertThat(c.numAttentionHeads()).isEqualTo(32);
        assertThat(c.numKeyValueHeads()).isEqualTo(8);
        assertThat(c.groupSize()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(131072);
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.ropeScaling()).isEqualTo(new LlamaConfig.RopeScaling(8.0, 1.0, 4.0, 8192));
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isEqualTo(128000);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.padTokenId()).isEqualTo(-1);
        assertThat(c.isSequenceClassification()).isFalse();
    }

    @Test
    void llama2WithIntEosAndNullRopeScalingAndDefaults() throws IOException {
        LlamaConfig c = parse("""
                {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2,
                 "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 11008,
                 "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32,
                 "num_hidden_layers": 32, "rms_norm_eps": 1e-05, "rope_scaling": null,
                 "torch_dtype": "float16", "vocab_size": 32000}
                """, null);
        assertThat(c.numKeyValueHeads()).isEqualTo(32);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.eosTokenIds()).containsExactly(2);
    }

    @Test
    void llama32TiedWithExplicitHeadDimLegacyTypeKeyAndEosMergedFromGenerationConfig() throws IOException {
        LlamaConfig c = parse("""
                {"architectures": ["LlamaForCausalLM"], "bos_token_id": 128000, "eos_token_id": 128001,
                 "head_dim": 64, "hidden_size": 2048, "intermediate_size": 8192,
                 "max_position_embeddings": 131072, "num_attention_heads": 32, "num_hidden_layers": 16,
                 "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
                 "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                  "original_max_position_embeddings": 8192, "type": "llama3"},
                 "rope_theta": 500000.0, "tie_word_embeddings": true, "vocab_size": 128256}
                """, "{\"eos_token_id\": [128001, 128008, 128009], \"pad_token_id\": 128004}");
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.ropeScaling().factor()).isEqualTo(32.0);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.padTokenId()).isEqualTo(128004);
    }

    @Test
    void rewardModelLabelsComeFromId2LabelThenNumLabelsThenDefaultTwo() throws IOException {
        String base = "\"architectures\": [\"LlamaForSequenceClassification\"], \"hidden_size\": 64,"
                + " \"intermediate_size\": 128, \"num_attention_heads\": 4, \"num_hidden_layers\": 2,"
                + " \"vocab_size\": 100, \"pad_token_id\": 0";
        assertThat(parse("{" + base + ", \"id2label\": {\"0\": \"LABEL_0\"}, \"num_labels\": 5}", null).numLabels())
                .isEqualTo(1);
        assertThat(parse("{" + base + ", \"num_labels\": 3}", null).numLabels()).isEqualTo(3);
        LlamaConfig c = parse("{" + base + "}", null);
        assertThat(c.numLabels()).isEqualTo(2);
        assertThat(c.isSequenceClassification()).isTrue();
        assertThat(c.padTokenId()).isZero();
    }

    @Test
    void writtenConfigReadsBackEqual() {
        for (LlamaConfig c : new LlamaConfig[] {TinyCheckpoint.causalConfig(true), TinyCheckpoint.rewardConfig(),
                new LlamaConfig("LlamaForCausalLM", 128256, 4096, 14336, 32, 32, 8, 128, 131072, 1e-5, 500000.0,
                        new LlamaConfig.RopeScaling(8, 1, 4, 8192), false, 0, 128000,
                        new int[] {128001, 128008, 128009}, -1)}) {
            Path f = tmp.resolve("config.json");
            LlamaConfigJson.write(c, f);
            assertThat(LlamaConfigJson.read(f, null)).isEqualTo(c);
        }
    }

    @Test
    void prettyJsonLooksLikeTransformersOutput() {
        byte[] b = LlamaConfigJson.prettyBytes(LlamaConfigJson.toJson(TinyCheckpoint.causalConfig(true), Map.of()));
        String s = new String(b, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(s).startsWith("{\n  \"architectures\": [\n    \"LlamaForCausalLM\"\n  ],\n  \"attention_bias\": false,");
        assertThat(s).endsWith("\"vocab_size\": 40\n}\n");
    }

    @Test
    void unsupportedArchitecturesAndFieldsAreRejectedNamingFileAndField() throws IOException {
        String body = "\"hidden_size\": 64, \"intermediate_size\": 128, \"num_attention_heads\": 4,"
                + " \"num_hidden_layers\": 2, \"vocab_size\": 100";
        assertThatThrownBy(() -> parse("{\"architectures\": [\"MistralForCausalLM\"], " + body + "}", null))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json").hasMessageContaining("unsupported architecture 'MistralForCausalLM'");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"GPT2LMHeadModel\"], " + body + "}", null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("GPT2LMHeadModel");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"vocab_size\": 9}", null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("'intermediate_size'");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], " + body
                + ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}", null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("rope_scaling type 'linear'");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], " + body
                + ", \"attention_bias\": true}", null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("attention_bias");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], " + body
                + ", \"num_key_value_heads\": 3}", null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("num_key_value_heads");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], " + body
                + ", \"eos_token_id\": \"x\"}", null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("eos_token_id");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], " + body, null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("corrupt JSON");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], " + body + "}", "{oops"))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("generation_config.json");
    }
}
