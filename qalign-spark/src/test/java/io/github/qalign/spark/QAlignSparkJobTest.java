package io.github.qalign.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.answer.AnswerFormat;
import io.github.qalign.model.ChatMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job in local mode against qalign-core's toy models: partition invariance, retries, poison prompts. */
class QAlignSparkJobTest {

    static SparkSession spark;
    static final JobSettings SETTINGS = JobSettings.builder()
            .methods(List.of(Method.QALIGN, Method.BON, Method.MV, Method.WMV, Method.MBR)).budget(8).chains(2)
            .beta(0.5).maxTokens(6).seed(2026).answer(AnswerFormat.TEXT).build();
    static final ModelSpec TOY = ModelSpec.toy(6);
    static final int N = 23;

    @BeforeAll
    static void start() {
        // local[2, 4]: two threads, and a failed task is retried up to 4 times (local mode's default is no retry)
        spark = SparkSession.builder().master("local[2,4]").appName("qalign-spark-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ModelCache.closeAll();
    }

    static StructType inputSchema() {
        return new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType)
                .add("topic", DataTypes.StringType).add("answer", DataTypes.StringType);
    }

    static List<Row> inputRows() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            rows.add(RowFactory.create("p" + i, "prompt number " + i, "t" + (i % 3), "ab"));
        }
        return rows;
    }

    static Dataset<Row> input(int partitions) {
        return spark.createDataFrame(inputRows(), inputSchema()).repartition(partitions);
    }

    static QAlignSparkJob.Builder job() {
        return QAlignSparkJob.builder().settings(SETTINGS).models(TOY).referenceColumn("answer");
    }

    /** Rows as sortable strings (every column), so runs compare exactly. */
    static List<String> canonical(Dataset<Row> rows) {
        return rows.collectAsList().stream().map(Row::toString).sorted().collect(Collectors.toList());
    }

    @Test
    void sameRowsAsTheSingleJvmRunnerForAnyPartitioningAndBatchSize() {
        PromptRunner runner = new PromptRunner(SETTINGS);
        List<String> single = new ArrayList<>();
        try (LoadedModels m = TOY.open()) {
            for (Row r : inputRows()) {
                for (ResultRow rr : runner.run(new PromptInput(r.getString(0),
                        List.of(ChatMessage.user(r.getString(1))), r.getString(3)), m)) {
                    single.add(r.getString(2) + "|" + r.getString(3) + "|" + rr);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        single.sort(Comparator.naturalOrder());
        // methods x budgets per prompt: qalign at 2, 4, 8 (multiples of 2 chains), the others at 1, 2, 4, 8
        assertThat(single).hasSize(N * (3 + 4 * 4));

        List<String> reference = null;
        int[][] splits = {{1, 8}, {3, 1}, {7, 3}}; // {partitions, prompts per batch}
        for (int[] split : splits) {
            int partitions = split[0];
            Dataset<Row> out = job().batchPrompts(split[1]).build().run(input(partitions));
            assertThat(out.schema().fieldNames()).startsWith("topic", "input_answer", "id", "method", "budget");
            List<Row> rows = out.collectAsList();
            List<String> asRecords = new ArrayList<>();
            for (Row r : rows) {
                asRecords.add(r.getString(0) + "|" + r.getString(1) + "|" + toResultRow(r));
            }
            asRecords.sort(Comparator.naturalOrder());
            assertThat(asRecords).as("partitions=%d vs single JVM", partitions).isEqualTo(single);
            List<String> canon = canonical(out);
            if (reference == null) {
                reference = canon;
            } else {
                assertThat(canon).as("partitions=%d", partitions).isEqualTo(reference);
            }
        }
        // the budgets and the reference comparison are there
        assertThat(single.stream().filter(s -> s.contains("method=qalign")).count()).isEqualTo(3L * N);
        assertThat(single).allMatch(s -> s.contains("status=ok"));
    }

    static ResultRow toResultRow(Row r) {
        return new ResultRow(r.getAs("id"), r.getAs("method"), r.<Integer>getAs("budget"), r.getAs("status"),
                r.getAs("error"), r.getAs("answer"), r.getAs("text"), r.getAs("reward"), r.getAs("correct"),
                r.getAs("beta"), r.getAs("acceptance_rate"), r.<Long>getAs("lm_computed_tokens"),
                r.<Long>getAs("lm_reused_tokens"), r.<Long>getAs("lm_generated_tokens"),
                r.<Long>getAs("rm_computed_tokens"), r.<Double>getAs("flops"), null);
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheWrittenOutputHasNoDuplicates(@TempDir Path tmp) throws Exception {
        List<String> clean = canonical(job().build().run(input(3)));
        java.util.concurrent.atomic.AtomicInteger failedTasks = new java.util.concurrent.atomic.AtomicInteger();
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!(end.reason() instanceof org.apache.spark.Success$)) {
                    failedTasks.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        Dataset<Row> flaky = job().batchPrompts(2).failFirstAttemptOfPartition(1).build().run(input(3));
        try {
            QAlignSparkMain.write(flaky, tmp);
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        assertThat(failedTasks.get()).as("the injected failure happened and was retried").isEqualTo(1);
        Dataset<Row> back = spark.read().parquet(tmp.resolve("parquet").toString());
        List<String> written = canonical(back.select(flakyColumns(back)));
        assertThat(written).isEqualTo(clean);
        assertThat(written).doesNotHaveDuplicates();
        assertThat(spark.read().json(tmp.resolve("jsonl").toString()).count()).isEqualTo(clean.size());
    }

    private static org.apache.spark.sql.Column[] flakyColumns(Dataset<Row> ds) {
        return java.util.Arrays.stream(ds.columns()).map(ds::col).toArray(org.apache.spark.sql.Column[]::new);
    }

    @Test
    void aPoisonPromptBecomesFailedRowsAndTheJobGoesOn() {
        List<Row> rows = new ArrayList<>(inputRows().subList(0, 4));
        rows.add(RowFactory.create("poison", " ", "t", "ab")); // a blank prompt fails on every attempt
        Dataset<Row> out = job().build().run(spark.createDataFrame(rows, inputSchema()).repartition(2));
        List<Row> failed = out.filter("status = 'failed'").collectAsList();
        assertThat(failed).hasSize(SETTINGS.methods().size());
        for (Row f : failed) {
            assertThat(f.<String>getAs("id")).isEqualTo("poison");
            assertThat(f.<String>getAs("error")).contains("column 'prompt' must be a non-blank string");
        }
        assertThat(out.filter("status = 'ok'").count()).isEqualTo(4L * (3 + 4 * 4));
    }

    @Test
    void messagesColumnAndMissingIdsAreHandled() {
        StructType msg = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        StructType schema = new StructType().add("messages", DataTypes.createArrayType(msg));
        List<Row> rows = List.of(RowFactory.create(List.of(RowFactory.create("user", "hello there"))),
                RowFactory.create(List.of(RowFactory.create("user", "hello there"))));
        List<Row> out = job().referenceColumn(null).build().run(spark.createDataFrame(rows, schema)).collectAsList();
        assertThat(out).isNotEmpty();
        // no id column: the content hash stands in, so the two identical conversations share id and draws
        assertThat(out.stream().map(r -> r.<String>getAs("id")).distinct().toList()).hasSize(1)
                .allMatch(id -> id.startsWith("sha256:"));
        assertThat(out).allMatch(r -> r.<String>getAs("status").equals("ok") && r.getAs("correct") == null);
    }

    @Test
    void traceRowsCarryEverySampleAtTheLargestBudget() {
        JobSettings traced = JobSettings.builder().methods(List.of(Method.QALIGN, Method.BON)).budget(4).chains(2)
                .maxTokens(6).seed(1).trace(true).build();
        List<Row> out = QAlignSparkJob.builder().settings(traced).models(TOY).build().run(input(2)).collectAsList();
        for (Row r : out) {
            List<Row> trace = r.getList(r.fieldIndex("trace"));
            if (r.<Integer>getAs("budget") == 4) {
                // qalign: 2 chains x (initial + 1 step); bon: 4 samples
                assertThat(trace).hasSize(4);
                if (r.<String>getAs("method").equals("qalign")) {
                    assertThat(trace.stream().filter(t -> t.getInt(1) == 0)).hasSize(2);
                }
            } else {
                assertThat(r.isNullAt(r.fieldIndex("trace"))).isTrue();
            }
        }
    }

    @Test
    void embeddedModelsRunThroughTheJob() {
        JobSettings small = JobSettings.builder().methods(List.of(Method.QALIGN, Method.BON)).budget(2).maxTokens(12)
                .beta(0.25).seed(3).build();
        List<Row> rows = List.of(RowFactory.create("a", "Once upon a time"), RowFactory.create("b", "Tom had a dog"));
        Dataset<Row> in = spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
                .add("prompt", DataTypes.StringType)).repartition(2);
        List<Row> out = QAlignSparkJob.builder().settings(small).models(ModelSpec.embedded(12)).build().run(in)
                .collectAsList();
        assertThat(out).hasSize(2 * 4); // per prompt: qalign at 1, 2 and bon at 1, 2
        for (Row r : out) {
            assertThat(r.<String>getAs("status")).as("%s", r).isEqualTo("ok");
            assertThat(r.<Double>getAs("reward")).isFinite();
            assertThat(r.<String>getAs("text")).isNotNull();
            assertThat(r.<Long>getAs("lm_generated_tokens")).isPositive();
            assertThat(r.<Double>getAs("flops")).isPositive();
        }
    }

    @Test
    void modelServersGiveTheRowsOfTheInProcessModels() throws Exception {
        // the toy models behind two policy servers (a fleet) and one reward server, in vLLM's shapes
        List<String> reference = canonical(job().build().run(input(3)));
        List<io.github.qalign.model.Prompt> known = new ArrayList<>();
        try (LoadedModels toys = TOY.open()) {
            for (Row r : inputRows()) {
                known.add(toys.policy().prompt(r.getString(1)));
            }
            try (var p1 = io.github.qalign.remote.testing.ModelServer.builder().languageModel(toys.policy())
                        .prompts(known).start();
                 var p2 = io.github.qalign.remote.testing.ModelServer.builder().languageModel(toys.policy())
                        .prompts(known).start();
                 var rm = io.github.qalign.remote.testing.ModelServer.builder().rewardModel(toys.reward())
                        .prompts(known).start()) {
                ModelSpec servers = ModelSpec.remote(new ModelSpec.Servers("vllm",
                        List.of(p1.baseUrl().toString(), p2.baseUrl().toString()), List.of(rm.baseUrl().toString()),
                        null, null, null), 6);
                Dataset<Row> out = QAlignSparkJob.builder().settings(SETTINGS).models(servers)
                        .referenceColumn("answer").build().run(input(3));
                assertThat(canonical(out)).isEqualTo(reference);
                assertThat(p1.completions() + p2.completions()).isPositive();
            }
        }
    }

    @Test
    void badInputIsAClearError() {
        Dataset<Row> noPrompt = spark.createDataFrame(List.of(RowFactory.create("x")),
                new StructType().add("id", DataTypes.StringType));
        assertThatThrownBy(() -> job().build().run(noPrompt)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither a 'prompt' nor a 'messages' column");
        assertThatThrownBy(() -> job().referenceColumn("gold").build().run(input(1)))
                .hasMessageContaining("reference column 'gold'");
    }

    @Test
    void mainWritesParquetAndJsonLinesInLocalMode(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("prompts.jsonl");
        Files.writeString(in, "{\"id\":\"a\",\"prompt\":\"first prompt\",\"extra\":1}\n"
                + "{\"id\":\"b\",\"prompt\":\"second prompt\",\"extra\":2}\n");
        Path out = tmp.resolve("out");
        java.io.StringWriter sw = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new QAlignSparkMain());
        cl.setOut(new java.io.PrintWriter(sw));
        int rc = cl.execute("--master", "local[2]", "--input", in.toString(), "--output", out.toString(),
                "--methods", "qalign,bon", "--budget", "4", "--max-tokens", "6", "--toy-models", "--partitions", "2");
        assertThat(rc).isZero();
        assertThat(sw.toString()).contains("wrote 12 rows"); // per prompt: qalign at 1, 2, 4 and bon at 1, 2, 4
        List<String> lines = new ArrayList<>();
        try (var files = Files.list(out.resolve("jsonl"))) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        assertThat(lines).hasSize(12).allMatch(l -> l.startsWith("{\"extra\":"));
        // refusing to overwrite without --overwrite
        assertThat(new picocli.CommandLine(new QAlignSparkMain()).execute("--input", in.toString(), "--output",
                out.toString(), "--toy-models")).isEqualTo(2);
    }
}
