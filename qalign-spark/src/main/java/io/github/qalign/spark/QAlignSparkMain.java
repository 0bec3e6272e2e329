package io.github.qalign.spark;

import io.github.qalign.answer.AnswerFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The job's command line: {@code spark-submit --class io.github.qalign.spark.QAlignSparkMain qalign-spark.jar ...} on
 * a cluster, or {@code java -jar qalign-spark-<version>.jar ...} in local mode. Writes
 * {@code OUTPUT/parquet/} and {@code OUTPUT/jsonl/} (one JSON object per line, Spark part files) with the rows of
 * {@link QAlignSparkJob}.
 */
@Command(name = "qalign-spark", mixinStandardHelpOptions = true, sortOptions = false,
        header = "QAlign and the baselines over a prompt set on Apache Spark.",
        description = "Reads prompts (JSONL or Parquet: an id column, a prompt or messages column, any other columns "
                + "are carried through), runs every method at budgets 1, 2, 4, ..., N, and writes one row per "
                + "(prompt, method, budget). Results depend only on the seed and the prompt ids.")
public final class QAlignSparkMain implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the one spark-submit sets, else local[*]).")
    String master;

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR",
            description = "Prompts: a .jsonl/.json file or folder, or Parquet (.parquet or a folder of them).")
    Path input;

    @Option(names = "--input-format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "auto, json or parquet (default: ${DEFAULT-VALUE}: by extension, else by folder content).")
    String inputFormat;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output folder.")
    Path output;

    @Option(names = "--overwrite", description = "Replace an existing output folder.")
    boolean overwrite;

    @Option(names = "--partitions", paramLabel = "N", description = "Repartition the prompts into N partitions.")
    Integer partitions;

    @Option(names = "--methods", paramLabel = "M,M", split = ",", defaultValue = "qalign",
            description = "qalign, bon, mv, wmv, mbr (comma-separated; default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--budget", paramLabel = "N", defaultValue = "16", description = "Samples per prompt and method.")
    int budget;

    @Option(names = "--chains", paramLabel = "C", defaultValue = "1", description = "QAlign chains; divides --budget.")
    int chains;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "1.0", description = "QAlign / WMV beta.")
    double beta;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128", description = "Total completion cap.")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "Sampling temperature.")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Top-k (0 = off).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Top-p.")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Job seed.")
    long seed;

    @Option(names = "--answer", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, number, boxed or choice: what MV/WMV/QAlign vote on and the reference is compared "
                    + "with (default: ${DEFAULT-VALUE}).")
    String answer;

    @Option(names = "--batch-prompts", paramLabel = "N", defaultValue = "8",
            description = "Prompts of a partition run together, one sampler run per method (default: "
                    + "${DEFAULT-VALUE}).")
    int batchPrompts;

    @Option(names = "--trace", description = "Each method's largest-budget row carries every sample (column trace).")
    boolean trace;

    @Option(names = "--reference-column", paramLabel = "NAME", description = "Reference answers; adds `correct`.")
    String referenceColumn;

    @Option(names = "--id-column", paramLabel = "NAME", defaultValue = "id", description = "Prompt ids.")
    String idColumn;

    @Option(names = "--policy", paramLabel = "DIR",
            description = "Policy checkpoint folder, present on every executor (default: the embedded model).")
    Path policy;

    @Option(names = "--reward", paramLabel = "DIR", description = "Reward checkpoint folder (with --policy).")
    Path reward;

    @Option(names = "--policy-endpoint", paramLabel = "URL",
            description = "A policy server's base URL (repeat for a fleet); with --reward-endpoint, instead of "
                    + "in-process models.")
    List<String> policyEndpoints;

    @Option(names = "--reward-endpoint", paramLabel = "URL", description = "A reward server's base URL (repeatable).")
    List<String> rewardEndpoints;

    @Option(names = "--server", paramLabel = "KIND", defaultValue = "vllm",
            description = "vllm, sglang or llamacpp (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--policy-tokenizer", paramLabel = "DIR",
            description = "The policy's tokenizer files on every executor (default: the server's /tokenize).")
    Path policyTokenizer;

    @Option(names = "--reward-tokenizer", paramLabel = "DIR",
            description = "The reward model's tokenizer files (default: score the policy's ids).")
    Path rewardTokenizer;

    @Option(names = "--reward-head", paramLabel = "DIR",
            description = "The reward checkpoint whose score.weight turns llama.cpp embeddings into rewards.")
    Path rewardHead;

    @Option(names = "--toy-models", hidden = true, description = "Use qalign-core's toy models (tests).")
    boolean toyModels;

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new QAlignSparkMain()).execute(args));
    }

    @Override
    public Integer call() throws java.io.IOException {
        JobSettings settings;
        try {
            List<Method> ms = new ArrayList<>();
            for (String m : methods) {
                ms.add(Method.parse(m));
            }
            settings = JobSettings.builder().methods(ms).budget(budget).chains(chains).beta(beta)
                    .temperature(temperature).topK(topK).topP(topP).maxTokens(maxTokens).seed(seed)
                    .answer(AnswerFormat.parse(answer)).trace(trace).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if ((policy == null) != (reward == null)) {
            throw new ParameterException(spec.commandLine(), "give both --policy and --reward, or neither");
        }
        if (!Files.exists(input)) {
            throw new ParameterException(spec.commandLine(), "--input: not found: " + input);
        }
        if (Files.exists(output) && !overwrite) {
            throw new ParameterException(spec.commandLine(), "--output exists: " + output + " (use --overwrite)");
        }
        if (batchPrompts < 1 || batchPrompts > 4096) {
            throw new ParameterException(spec.commandLine(), "--batch-prompts must be in [1, 4096], got "
                    + batchPrompts);
        }
        if (partitions != null && partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be >= 1, got " + partitions);
        }
        ModelSpec models;
        boolean remote = policyEndpoints != null || rewardEndpoints != null;
        if (remote) {
            if (policyEndpoints == null || rewardEndpoints == null) {
                throw new ParameterException(spec.commandLine(), "give both --policy-endpoint and --reward-endpoint");
            }
            if (policy != null || toyModels) {
                throw new ParameterException(spec.commandLine(), "--policy/--reward and model servers exclude each "
                        + "other");
            }
            try {
                models = ModelSpec.remote(new ModelSpec.Servers(server, policyEndpoints, rewardEndpoints,
                        abs(policyTokenizer), abs(rewardTokenizer), abs(rewardHead)), maxTokens);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        } else {
            if (policyTokenizer != null || rewardTokenizer != null || rewardHead != null) {
                throw new ParameterException(spec.commandLine(), "--policy-tokenizer, --reward-tokenizer and "
                        + "--reward-head apply with --policy-endpoint/--reward-endpoint only");
            }
            models = toyModels ? ModelSpec.toy(maxTokens) : policy == null ? ModelSpec.embedded(maxTokens)
                    : ModelSpec.checkpoints(policy.toAbsolutePath(), reward.toAbsolutePath(), maxTokens);
        }
        SparkConf conf = new SparkConf().setAppName("qalign-spark");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        if (conf.get("spark.master").startsWith("local") && !conf.contains("spark.driver.host")) {
            // local mode talks to itself only: stay on the loopback interface
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        // a session that already exists in this JVM (an embedding application, a test) is used and left open
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            Dataset<Row> prompts = read(spark);
            if (partitions != null) {
                prompts = prompts.repartition(partitions);
            }
            QAlignSparkJob job = QAlignSparkJob.builder().settings(settings).models(models).idColumn(idColumn)
                    .referenceColumn(referenceColumn).batchPrompts(batchPrompts).build();
            write(job.run(prompts), output);
            long rows = spark.read().parquet(output.resolve("parquet").toString()).count();
            spec.commandLine().getOut().println("wrote " + rows + " rows to " + output.resolve("parquet") + " and "
                    + output.resolve("jsonl"));
        } finally {
            if (ownSession) {
                spark.close();
            }
        }
        return 0;
    }

    private static String abs(Path p) {
        return p == null ? null : p.toAbsolutePath().toString();
    }

    private Dataset<Row> read(SparkSession spark) {
        String fmt = inputFormat.toLowerCase(Locale.ROOT);
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (fmt.equals("auto")) {
            fmt = name.endsWith(".parquet") || (Files.isDirectory(input) && hasParquet(input)) ? "parquet" : "json";
        }
        return switch (fmt) {
            case "parquet" -> spark.read().parquet(input.toString());
            case "json" -> spark.read().json(input.toString());
            default -> throw new ParameterException(spec.commandLine(), "--input-format must be auto, json or "
                    + "parquet, got " + inputFormat);
        };
    }

    private static boolean hasParquet(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Writes results as Parquet ({@code out/parquet}) and then, from that Parquet, as JSON lines
     * ({@code out/jsonl}), so the work runs once.
     *
     * @param results the results
     * @param out     the output folder
     */
    static void write(Dataset<Row> results, Path out) {
        String parquet = out.resolve("parquet").toString();
        results.write().mode(SaveMode.Overwrite).parquet(parquet);
        results.sparkSession().read().parquet(parquet).write().mode(SaveMode.Overwrite)
                .json(out.resolve("jsonl").toString());
    }
}
