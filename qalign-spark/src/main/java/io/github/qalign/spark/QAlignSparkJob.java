package io.github.qalign.spark;

import io.github.qalign.model.ChatMessage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * QAlign and the baselines over a Dataset of prompts: {@code mapPartitions} with the models opened once per executor
 * ({@link ModelCache}), one output row per (prompt, method, budget).
 *
 * <p>Input columns: {@code id} (string; when absent, the SHA-256 of the prompt content stands in, so identical
 * prompts share draws), {@code prompt} (string) or {@code messages} (array of {@code {role, content}} structs), and
 * optionally a reference-answer column named by {@link Builder#referenceColumn(String)}. Every other input column is
 * carried to each of the prompt's output rows; an input column whose name clashes with a result column is carried as
 * {@code input_<name>}.
 *
 * <p>Results depend only on (settings, models, prompt id), so any partitioning, batch size, task placement or retry
 * gives the same rows; a retried task recomputes exactly the rows of its failed attempt, and Spark's output commit
 * protocol keeps one attempt's files. This is exact for backends whose output for a request does not depend on the
 * other requests of a batch (the toy models; remote servers with per-request seeds up to their own batching). With
 * the in-process DJL runtime, a batched float forward pass may round differently for different batch compositions,
 * which in rare cases flips a sampled token, and the token counts of {@code lm_reused_tokens} depend on what the
 * prefix cache already held: the samples are then equal in distribution, not bit for bit. A prompt that fails (bad input, a model error) gives one {@code failed} row per method
 * with the error, and the job goes on. Progress is visible in the Spark UI through the accumulators
 * {@code qalign.prompts}, {@code qalign.failed} and {@code qalign.generatedTokens}.
 */
public final class QAlignSparkJob implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default prompts per batch ({@link Builder#batchPrompts(int)}). */
    public static final int DEFAULT_BATCH_PROMPTS = 8;

    /** The result columns, in output order after the carried input columns. */
    public static final StructType RESULT_SCHEMA = new StructType(new StructField[] {
        field("id", DataTypes.StringType, false),
        field("method", DataTypes.StringType, false),
        field("budget", DataTypes.IntegerType, false),
        field("status", DataTypes.StringType, false),
        field("error", DataTypes.StringType, true),
        field("answer", DataTypes.StringType, true),
        field("text", DataTypes.StringType, true),
        field("reward", DataTypes.DoubleType, true),
        field("correct", DataTypes.BooleanType, true),
        field("beta", DataTypes.DoubleType, true),
        field("acceptance_rate", DataTypes.DoubleType, true),
        field("lm_computed_tokens", DataTypes.LongType, false),
        field("lm_reused_tokens", DataTypes.LongType, false),
        field("lm_generated_tokens", DataTypes.LongType, false),
        field("rm_computed_tokens", DataTypes.LongType, false),
        field("flops", DataTypes.DoubleType, false),
    });

    /** The {@code trace} column added when {@link JobSettings#trace()} is on. */
    public static final StructField TRACE_FIELD = field("trace", DataTypes.createArrayType(new StructType()
            .add("chain", DataTypes.IntegerType, false).add("step", DataTypes.IntegerType, false)
            .add("text", DataTypes.StringType, true).add("reward", DataTypes.DoubleType, false)
            .add("accepted", DataTypes.BooleanType, true), false), true);

    private final JobSettings settings;
    private final ModelSpec models;
    private final String idColumn;
    private final String promptColumn;
    private final String messagesColumn;
    private final String referenceColumn;
    private final int failOncePartition;
    private final int batchPrompts;

    private QAlignSparkJob(Builder b) {
        this.settings = Objects.requireNonNull(b.settings, "settings");
        this.models = Objects.requireNonNull(b.models, "models");
        this.idColumn = b.idColumn;
        this.promptColumn = b.promptColumn;
        this.messagesColumn = b.messagesColumn;
        this.referenceColumn = b.referenceColumn;
        this.failOncePartition = b.failOncePartition;
        this.batchPrompts = b.batchPrompts;
    }

    /**
     * A new builder; settings and models are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    /**
     * The output schema for an input schema: carried input columns, then {@link #RESULT_SCHEMA}.
     *
     * @param input the input schema
     * @return the output schema
     */
    public StructType outputSchema(StructType input) {
        List<StructField> fields = new ArrayList<>();
        Set<String> results = Set.of(RESULT_SCHEMA.fieldNames());
        for (StructField f : input.fields()) {
            if (isPromptColumn(f.name())) {
                continue;
            }
            String name = results.contains(f.name()) ? "input_" + f.name() : f.name();
            fields.add(DataTypes.createStructField(name, f.dataType(), true));
        }
        fields.addAll(Arrays.asList(RESULT_SCHEMA.fields()));
        if (settings.trace()) {
            fields.add(TRACE_FIELD);
        }
        return DataTypes.createStructType(fields);
    }

    private boolean isPromptColumn(String name) {
        return name.equals(idColumn) || name.equals(promptColumn) || name.equals(messagesColumn);
    }

    /**
     * The results of every prompt (lazy: nothing runs until an action or a write).
     *
     * @param prompts the input
     * @return one row per (prompt, method, budget), or failed rows
     * @throws IllegalArgumentException if the input lacks a prompt/messages column or the reference column
     */
    public Dataset<Row> run(Dataset<Row> prompts) {
        StructType in = prompts.schema();
        Set<String> names = Set.of(in.fieldNames());
        boolean hasPrompt = names.contains(promptColumn);
        boolean hasMessages = names.contains(messagesColumn);
        if (!hasPrompt && !hasMessages) {
            throw new IllegalArgumentException("the input has neither a '" + promptColumn + "' nor a '"
                    + messagesColumn + "' column; columns: " + names);
        }
        if (referenceColumn != null && !names.contains(referenceColumn)) {
            throw new IllegalArgumentException("the reference column '" + referenceColumn + "' is not in the input;"
                    + " columns: " + names);
        }
        StructType out = outputSchema(in);
        SparkSession spark = prompts.sparkSession();
        LongAccumulator done = spark.sparkContext().longAccumulator("qalign.prompts");
        LongAccumulator failed = spark.sparkContext().longAccumulator("qalign.failed");
        LongAccumulator tokens = spark.sparkContext().longAccumulator("qalign.generatedTokens");
        PartitionWork work = new PartitionWork(this, in, hasMessages, done, failed, tokens);
        return prompts.mapPartitions(work, Encoders.row(out));
    }

    /** The per-partition function: lazily turns each input row into its output rows. */
    private static final class PartitionWork implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final QAlignSparkJob job;
        private final StructType in;
        private final boolean messages;
        private final LongAccumulator done;
        private final LongAccumulator failed;
        private final LongAccumulator tokens;

        PartitionWork(QAlignSparkJob job, StructType in, boolean messages, LongAccumulator done,
                      LongAccumulator failed, LongAccumulator tokens) {
            this.job = job;
            this.in = in;
            this.messages = messages;
            this.done = done;
            this.failed = failed;
            this.tokens = tokens;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            TaskContext task = TaskContext.get();
            boolean failOnce = task != null && task.partitionId() == job.failOncePartition
                    && task.attemptNumber() == 0;
            PromptRunner runner = new PromptRunner(job.settings);
            return new Iterator<>() {
                private Iterator<Row> pending = List.<Row>of().iterator();
                private int prompts;

                @Override
                public boolean hasNext() {
                    while (!pending.hasNext() && rows.hasNext()) {
                        if (failOnce && prompts > 0) {
                            throw new IllegalStateException("injected failure of the first attempt of partition "
                                    + job.failOncePartition + " (test hook)");
                        }
                        List<Row> batch = new ArrayList<>(job.batchPrompts);
                        while (batch.size() < job.batchPrompts && rows.hasNext()) {
                            batch.add(rows.next());
                        }
                        pending = job.process(batch, in, messages, runner, done, failed, tokens).iterator();
                        prompts += batch.size();
                    }
                    return pending.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return pending.next();
                }
            };
        }
    }

    /** One input row: its carried values and the parsed prompt, or why it could not be parsed. */
    private record Parsed(List<Object> carried, PromptInput input, String id, RuntimeException error) {
    }

    private Parsed parse(Row row, StructType in, boolean hasMessages) {
        List<Object> carried = new ArrayList<>();
        for (StructField f : in.fields()) {
            if (!isPromptColumn(f.name())) {
                carried.add(row.get(row.fieldIndex(f.name())));
            }
        }
        String id = idColumnValue(row);
        try {
            List<ChatMessage> conversation = hasMessages && !row.isNullAt(row.fieldIndex(messagesColumn))
                    ? messages(row) : List.of(ChatMessage.user(promptText(row)));
            if (id == null) {
                id = contentId(conversation);
            }
            String reference = referenceColumn == null || row.isNullAt(row.fieldIndex(referenceColumn)) ? null
                    : String.valueOf(row.get(row.fieldIndex(referenceColumn)));
            return new Parsed(carried, new PromptInput(id, conversation, reference), id, null);
        } catch (RuntimeException e) {
            return new Parsed(carried, null, id != null ? id : "<row without a usable id>", e);
        }
    }

    /** The output rows of a batch of input rows: parsed prompts run together, unparsable ones as failed rows. */
    private List<Row> process(List<Row> batch, StructType in, boolean hasMessages, PromptRunner runner,
                              LongAccumulator done, LongAccumulator failed, LongAccumulator tokens) {
        List<Parsed> parsed = new ArrayList<>(batch.size());
        List<PromptInput> inputs = new ArrayList<>();
        for (Row row : batch) {
            Parsed p = parse(row, in, hasMessages);
            parsed.add(p);
            if (p.input() != null) {
                inputs.add(p.input());
            }
        }
        List<List<ResultRow>> results = inputs.isEmpty() ? List.of() : runner.runEach(inputs, ModelCache.get(models));
        List<Row> out = new ArrayList<>();
        int next = 0;
        for (Parsed p : parsed) {
            List<ResultRow> rows;
            if (p.input() != null) {
                rows = results.get(next++);
            } else {
                rows = new ArrayList<>();
                for (Method m : settings.methods()) {
                    rows.add(new ResultRow(p.id(), m.cliName(), 0, ResultRow.FAILED, p.error().getClass().getName()
                            + ": " + p.error().getMessage(), null, null, null, null, null, null, 0, 0, 0, 0, 0, null));
                }
            }
            done.add(1);
            if (rows.stream().anyMatch(r -> r.status().equals(ResultRow.FAILED))) {
                failed.add(1);
            }
            for (ResultRow r : rows) {
                tokens.add(r.lmGeneratedTokens());
                out.add(toRow(p.carried(), r));
            }
        }
        return out;
    }

    private Row toRow(List<Object> carried, ResultRow r) {
        List<Object> values = new ArrayList<>(carried);
        values.addAll(List.of(r.id(), r.method(), r.budget(), r.status()));
        values.add(r.error());
        values.add(r.answer());
        values.add(r.text());
        values.add(r.reward());
        values.add(r.correct());
        values.add(r.beta());
        values.add(r.acceptanceRate());
        values.addAll(List.of(r.lmComputedTokens(), r.lmReusedTokens(), r.lmGeneratedTokens(),
                r.rmComputedTokens(), r.flops()));
        if (settings.trace()) {
            values.add(r.trace() == null ? null : scala.jdk.javaapi.CollectionConverters.asScala(
                    r.trace().stream().map(t -> RowFactory.create(t.chain(), t.step(), t.text(), t.reward(),
                            t.accepted())).toList()).toList());
        }
        return RowFactory.create(values.toArray());
    }

    private String promptText(Row row) {
        int i;
        try {
            i = row.fieldIndex(promptColumn);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("row has no '" + promptColumn + "' and no '" + messagesColumn + "'");
        }
        if (row.isNullAt(i)) {
            throw new IllegalArgumentException("column '" + promptColumn + "' is null");
        }
        Object v = row.get(i);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("column '" + promptColumn + "' must be a non-blank string");
        }
        return s;
    }

    private List<ChatMessage> messages(Row row) {
        List<Row> list = row.getList(row.fieldIndex(messagesColumn));
        if (list.isEmpty()) {
            throw new IllegalArgumentException("column '" + messagesColumn + "' is an empty conversation");
        }
        List<ChatMessage> out = new ArrayList<>(list.size());
        for (Row m : list) {
            if (m == null) {
                throw new IllegalArgumentException("column '" + messagesColumn + "' holds a null message");
            }
            out.add(new ChatMessage(Objects.requireNonNull(m.getAs("role"), "message role"),
                    Objects.requireNonNull(m.getAs("content"), "message content")));
        }
        return out;
    }

    private String idColumnValue(Row row) {
        if (Arrays.asList(row.schema().fieldNames()).contains(idColumn) && !row.isNullAt(row.fieldIndex(idColumn))) {
            return String.valueOf(row.get(row.fieldIndex(idColumn)));
        }
        return null;
    }

    private static String contentId(List<ChatMessage> conversation) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (ChatMessage m : conversation) {
                d.update(m.role().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(m.content().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return "sha256:" + HexFormat.of().formatHex(d.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builder of {@link QAlignSparkJob}. */
    public static final class Builder {
        private JobSettings settings;
        private ModelSpec models;
        private String idColumn = "id";
        private String promptColumn = "prompt";
        private String messagesColumn = "messages";
        private String referenceColumn;
        private int failOncePartition = -1;
        private int batchPrompts = DEFAULT_BATCH_PROMPTS;

        private Builder() {
        }

        /**
         * How many prompts of a partition run together, one sampler run per method (default
         * {@value #DEFAULT_BATCH_PROMPTS}). Larger batches fill the model's batch better; with exact backends the
         * rows do not depend on it (each prompt draws from its own streams), see the class description for caching
         * float backends.
         *
         * @param n prompts per batch, in [1, 4096]
         * @return this builder
         */
        public Builder batchPrompts(int n) {
            if (n < 1 || n > 4096) {
                throw new IllegalArgumentException("batchPrompts must be in [1, 4096], got " + n);
            }
            this.batchPrompts = n;
            return this;
        }

        /**
         * What to run (required).
         *
         * @param s the settings
         * @return this builder
         */
        public Builder settings(JobSettings s) {
            this.settings = s;
            return this;
        }

        /**
         * Which models the executors open (required).
         *
         * @param m the model spec
         * @return this builder
         */
        public Builder models(ModelSpec m) {
            this.models = m;
            return this;
        }

        /**
         * The id column (default {@code id}).
         *
         * @param c the column name
         * @return this builder
         */
        public Builder idColumn(String c) {
            this.idColumn = Objects.requireNonNull(c);
            return this;
        }

        /**
         * The plain-text prompt column (default {@code prompt}).
         *
         * @param c the column name
         * @return this builder
         */
        public Builder promptColumn(String c) {
            this.promptColumn = Objects.requireNonNull(c);
            return this;
        }

        /**
         * The conversation column, an array of {@code {role, content}} structs (default {@code messages}); it takes
         * precedence over the prompt column where both are set.
         *
         * @param c the column name
         * @return this builder
         */
        public Builder messagesColumn(String c) {
            this.messagesColumn = Objects.requireNonNull(c);
            return this;
        }

        /**
         * The reference-answer column; rows then get {@code correct} (default: none).
         *
         * @param c the column name, or null for none
         * @return this builder
         */
        public Builder referenceColumn(String c) {
            this.referenceColumn = c;
            return this;
        }

        /** Test hook: the first attempt of this partition throws after its first batch. */
        Builder failFirstAttemptOfPartition(int partition) {
            this.failOncePartition = partition;
            return this;
        }

        /**
         * The job.
         *
         * @return the job
         */
        public QAlignSparkJob build() {
            return new QAlignSparkJob(this);
        }
    }
}
