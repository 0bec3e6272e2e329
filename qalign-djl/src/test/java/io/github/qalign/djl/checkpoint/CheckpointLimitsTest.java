package io.github.qalign.djl.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.djl.LlamaConfig;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.llama.KvCache;
import io.github.qalign.djl.llama.LlamaModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A model folder is untrusted: oversized side files, absurd or non-finite config values, foreign files linked into the
 * folder and odd directory names end in one {@link CheckpointException} naming the file and field, quickly and
 * without allocating from the untrusted sizes or quoting the files' contents.
 */
class CheckpointLimitsTest extends CheckpointTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path tiny(int shards) throws IOException {
        Path dir = tmp.resolve("ck");
        TinyCheckpoint.write(dir, TinyCheckpoint.causalConfig(false), 1, shards, "F32");
        return dir;
    }

    private static CheckpointException openFails(Path dir) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try {
                HfCheckpoint.open(dir).close();
            } catch (CheckpointException e) {
                return e;
            }
            throw new AssertionError("expected a CheckpointException for " + dir);
        });
    }

    private static ObjectNode config(Path dir) throws IOException {
        return (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    }

    private static void writeConfig(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json, StandardCharsets.UTF_8);
    }

    private static void sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    @Test
    void sideFilesOverTheirCapsAreRejectedBeforeReading() throws IOException {
        Path dir = tiny(1);
        // a valid config.json padded with whitespace past its cap: parsed happily before
        String cfg = Files.readString(dir.resolve("config.json"));
        writeConfig(dir, cfg + " ".repeat((int) CheckpointFiles.MAX_CONFIG_BYTES));
        CheckpointException e = openFails(dir);
        assertThat(e.file()).isEqualTo(dir.resolve("config.json"));
        assertThat(e.getMessage()).contains("exceeds the " + CheckpointFiles.MAX_CONFIG_BYTES + "-byte limit");
        writeConfig(dir, cfg);
        // 3 GB sparse side files: a tokenizer() or chatTemplate() call would have read them into the heap
        String[] names = {HfCheckpoint.TOKENIZER, HfCheckpoint.TOKENIZER_CONFIG, HfCheckpoint.GENERATION_CONFIG,
                HfCheckpoint.WEIGHTS_INDEX};
        for (String name : names) {
            Path f = dir.resolve(name);
            sparse(f, 3L << 30);
            CheckpointException x = openFails(dir);
            assertThat(x.file()).isEqualTo(f);
            assertThat(x.getMessage()).contains(name).contains("exceeds the " + CheckpointFiles.capOf(name));
            Files.delete(f);
        }
        try (HfCheckpoint ok = HfCheckpoint.open(dir)) {
            assertThat(ok.config()).isEqualTo(TinyCheckpoint.causalConfig(false));
        }
    }

    @Test
    void readBoundedStopsAtTheCapWhateverTheReportedSize() throws IOException {
        // /proc files report size 0 but have content; the read itself is bounded
        Path f = tmp.resolve("f.json");
        Files.write(f, new byte[100]);
        assertThat(CheckpointFiles.readBounded(f, 100)).hasSize(100);
        CheckpointException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointException.class,
                () -> CheckpointFiles.readBounded(f, 99));
        assertThat(e.file()).isEqualTo(f);
        Path dev = Path.of("/dev/zero");
        if (Files.exists(dev)) {
            assertThat(org.junit.jupiter.api.Assertions.assertThrows(CheckpointException.class,
                    () -> CheckpointFiles.readBounded(dev, 1000)).getMessage()).contains("not a regular file");
        }
    }

    @Test
    void configValuesAboveTheirBoundsAreRejectedByField() throws IOException {
        Path dir = tiny(1);
        ObjectNode original = config(dir);
        Object[][] cases = {
                {"num_hidden_layers", 1_000_000, LlamaConfig.MAX_LAYERS},
                {"max_position_embeddings", 1_000_000_000, LlamaConfig.MAX_POSITION_EMBEDDINGS},
                {"vocab_size", 100_000_000, LlamaConfig.MAX_VOCAB_SIZE},
                {"hidden_size", 1 << 20, LlamaConfig.MAX_HIDDEN_SIZE},
                {"intermediate_size", 1 << 24, LlamaConfig.MAX_INTERMEDIATE_SIZE},
                {"num_attention_heads", 1 << 20, LlamaConfig.MAX_HEADS},
                {"num_key_value_heads", 1 << 20, LlamaConfig.MAX_HEADS},
                {"head_dim", 1 << 20, LlamaConfig.MAX_HEAD_DIM},
                {"num_labels", 1 << 30, LlamaConfig.MAX_LABELS},
        };
        for (Object[] c : cases) {
            ObjectNode cfg = original.deepCopy();
            cfg.put((String) c[0], (Integer) c[1]);
            if (c[0].equals("num_labels")) {
                cfg.remove("id2label");
            }
            Files.write(dir.resolve("config.json"), LlamaConfigJson.prettyBytes(cfg));
            CheckpointException e = openFails(dir);
            assertThat(e.field()).as("%s", c[0]).isEqualTo(c[0]);
            assertThat(e.getMessage()).contains("config.json").contains("'" + c[0] + "'")
                    .contains(String.valueOf(c[2])).contains(String.valueOf(c[1]));
        }
        // integers beyond int range are rejected by value, not wrapped
        ObjectNode cfg = original.deepCopy();
        cfg.put("num_hidden_layers", 4_294_967_298L);
        Files.write(dir.resolve("config.json"), LlamaConfigJson.prettyBytes(cfg));
        assertThat(openFails(dir).field()).isEqualTo("num_hidden_layers");
    }

    @Test
    void nonFiniteNumbersAreRejected() throws IOException {
        Path dir = tiny(1);
        String base = Files.readString(dir.resolve("config.json"));
        for (String field : new String[] {"rope_theta", "rms_norm_eps"}) {
            writeConfig(dir, base.replaceFirst("\"" + field + "\": [^,\\n]+", "\"" + field + "\": 1e400"));
            CheckpointException e = openFails(dir);
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains("finite");
        }
        writeConfig(dir, base.replaceFirst("\"rope_scaling\": null", "\"rope_scaling\": {\"rope_type\": \"llama3\","
                + " \"factor\": 1e400, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192}"));
        CheckpointException e = openFails(dir);
        assertThat(e.field()).isEqualTo("rope_scaling.factor");
    }

    @Test
    void ropeTableIsSizedToTheContextUsedNotToMaxPositionEmbeddings() throws IOException {
        Path dir = tiny(1);
        ObjectNode cfg = config(dir);
        cfg.put("max_position_embeddings", LlamaConfig.MAX_POSITION_EMBEDDINGS);
        Files.write(dir.resolve("config.json"), LlamaConfigJson.prettyBytes(cfg));
        // a 2^27-position table of 8 floats per position would be 4 GiB
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (HfCheckpoint ck = HfCheckpoint.open(dir);
                 LlamaModel model = LlamaModel.create(ck.config(), ck.loadAll(manager, DataType.FLOAT32), null,
                         DataType.FLOAT32);
                 KvCache cache = model.newCache(2, 48)) {
                assertThat(model.config().maxPositionEmbeddings()).isEqualTo(LlamaConfig.MAX_POSITION_EMBEDDINGS);
                float[][] logits = model.forward(cache, new int[] {0, 1}, new int[][] {{1, 5, 7}, {3}},
                        LlamaModel.Head.LOGITS);
                assertThat(logits[0]).hasSize(40);
                assertThat(cache.length(0)).isEqualTo(3);
            }
        });
    }

    @Test
    void foreignFileContentsAreNeverEchoed() throws IOException {
        Path dir = tiny(1);
        String secret = "root:x:0:0:SECRET-hunter2:/root:/bin/bash";
        Path passwd = tmp.resolve("passwd");
        Files.writeString(passwd, secret + "\n" + secret + "\n");
        Path cfg = dir.resolve("config.json");
        String good = Files.readString(cfg);
        Files.delete(cfg);
        Files.createSymbolicLink(cfg, passwd);
        CheckpointException e = openFails(dir);
        assertThat(e.file()).isEqualTo(cfg);
        assertThat(e.getMessage()).contains("corrupt JSON").doesNotContain("root").doesNotContain("SECRET");
        Files.delete(cfg);
        // long strings from the file are cut, containers described by size only
        String longSecret = "SECRET-" + "x".repeat(10_000);
        String[] bad = {
                good.replaceFirst("\"LlamaForCausalLM\"", "\"" + longSecret + "\""),
                good.replaceFirst("\"vocab_size\": 40", "\"vocab_size\": \"" + longSecret + "\""),
                good.replaceFirst("\"rope_theta\": [^,\\n]+", "\"rope_theta\": [\"" + longSecret + "\"]"),
                good.replaceFirst("\"eos_token_id\": [^,\\n]+", "\"eos_token_id\": {\"" + longSecret + "\": 1}"),
        };
        for (String b : bad) {
            Files.writeString(cfg, b);
            CheckpointException x = openFails(dir);
            assertThat(x.getMessage().length()).isLessThan(400);
            assertThat(x.getMessage()).doesNotContain("x".repeat(CheckpointFiles.QUOTE_LIMIT + 1));
        }
    }

    @Test
    void everyMalformedFieldValueGivesACheckpointExceptionNeverAnotherThrowable() throws IOException {
        Path dir = tiny(1);
        ObjectNode good = config(dir);
        List<String> fields = new ArrayList<>();
        good.fieldNames().forEachRemaining(fields::add);
        String[] values = {"null", "\"s\"", "-1", "0", "1e400", "-1e400", "2147483648", "[]", "{}", "true", "1.5",
                "[1, \"a\"]", "[[1]]"};
        int opened = 0;
        int rejected = 0;
        for (String field : fields) {
            for (String v : values) {
                ObjectNode c = good.deepCopy();
                c.set(field, JSON.readTree(v));
                Files.write(dir.resolve("config.json"), LlamaConfigJson.prettyBytes(c));
                try {
                    HfCheckpoint.open(dir).close();
                    opened++;
                } catch (CheckpointException e) {
                    rejected++;
                    // a config error names config.json; a config that parses but disagrees with the weights names them
                    assertThat(e.file()).isIn(dir.resolve("config.json"), dir.resolve("model.safetensors"));
                    assertThat(e.getMessage()).startsWith(e.file().toString());
                    assertThat(e.getMessage()).as("%s=%s: %s", field, v, e.getMessage()).containsAnyOf(
                            "'" + field, "field", "shape", "tensor");
                }
            }
        }
        assertThat(rejected).isGreaterThan(fields.size() * 5);
        assertThat(opened + rejected).isEqualTo(fields.size() * values.length);
    }

    @Test
    void shardedCheckpointOpenedAsDotFromItsOwnDirectory() throws Exception {
        Path dir = tiny(2);
        // HfCheckpoint.open(Path.of(".")) with the working directory inside the checkpoint, in a child JVM
        for (String arg : new String[] {".", "", "sub/.."}) {
            Files.createDirectories(dir.resolve("sub"));
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), OpenDirectoryMain.class.getName(), arg)
                    .directory(dir.toFile()).redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as("open(\"%s\")", arg).contains("OPENED " + HfCheckpoint.expectedShapes(
                    TinyCheckpoint.causalConfig(false)).size());
            assertThat(p.exitValue()).isZero();
        }
    }

    /** Child-JVM entry point of {@link #shardedCheckpointOpenedAsDotFromItsOwnDirectory()}. */
    static final class OpenDirectoryMain {
        public static void main(String[] args) {
            try (HfCheckpoint ck = HfCheckpoint.open(Path.of(args[0]))) {
                System.out.println("OPENED " + ck.tensorNames().size());
            } catch (Throwable t) {
                System.out.println("FAILED " + t);
                System.exit(3);
            }
        }
    }

    @Test
    void shardNamesOutsideTheFolderAreRejectedByField() throws IOException {
        Path dir = tiny(2);
        for (String name : new String[] {"../evil.safetensors", "/etc/passwd", "sub/x.safetensors", ""}) {
            Map<String, Object> idx = Map.of("weight_map", Map.of("model.embed_tokens.weight", name));
            Files.write(dir.resolve(HfCheckpoint.WEIGHTS_INDEX), JSON.writeValueAsBytes(idx));
            CheckpointException e = openFails(dir);
            assertThat(e.field()).isEqualTo("weight_map");
            assertThat(e.getMessage()).contains("not a file of the checkpoint directory");
        }
        Files.write(dir.resolve(HfCheckpoint.WEIGHTS_INDEX),
                JSON.writeValueAsBytes(Map.of("weight_map", Map.of("model.embed_tokens.weight", 5))));
        assertThat(openFails(dir).getMessage()).contains("must be a shard file name");
    }
}
