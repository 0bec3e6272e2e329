package io.github.qalign.spark;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.Weighting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Sizing figures for a cluster (a benchmark main, not a test): prompts per second of the job in local mode with 1
 * and 2 task threads on one executor, and the cost of one ROUGE-1 MBR selection at budget 1024 on one core.
 *
 * <p>Run: {@code mvn -B -pl qalign-spark -am test-compile} then
 * {@code java -cp "qalign-spark/target/test-classes:qalign-spark/target/classes:$(cat cp.txt)" ... SparkSizingBench
 * [embedded|toy] [prompts] [budget]} with the classpath from {@code dependency:build-classpath}; see
 * docs/scale-out.md for the exact command and the figures.
 */
public final class SparkSizingBench {

    private SparkSizingBench() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args [embedded|toy] [prompts] [budget] [max-tokens]
     */
    public static void main(String[] args) {
        String kind = args.length > 0 ? args[0] : "embedded";
        int prompts = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int budget = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int maxTokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        mbrCost();
        ModelSpec spec = kind.equals("toy") ? ModelSpec.toy(maxTokens) : ModelSpec.embedded(maxTokens);
        JobSettings settings = JobSettings.builder().methods(List.of(Method.QALIGN, Method.BON)).budget(budget)
                .maxTokens(maxTokens).beta(0.25).seed(1).build();
        for (int threads : new int[] {1, 2}) {
            SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("bench")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
            try {
                List<Row> rows = new ArrayList<>();
                String[] openings = {"Once upon a time", "One day, a little girl", "Tom and his dog",
                    "The sun was shining", "Lily wanted to play"};
                for (int i = 0; i < prompts; i++) {
                    rows.add(RowFactory.create("p" + i, openings[i % openings.length] + " (" + i + ")"));
                }
                Dataset<Row> in = spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
                        .add("prompt", DataTypes.StringType)).repartition(threads * 2);
                QAlignSparkJob job = QAlignSparkJob.builder().settings(settings).models(spec).build();
                job.run(in.limit(threads * 2)).count(); // warm-up: models opened, JIT
                long t0 = System.nanoTime();
                long n = job.run(in).count();
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("local[%d] %s: %d prompts x (qalign + bon) at budget %d, %d tokens cap: %.1f s, "
                        + "%.2f prompts/s (%d rows)%n", threads, kind, prompts, budget, maxTokens, s, prompts / s, n);
            } finally {
                spark.stop();
            }
        }
        ModelCache.closeAll();
    }

    /** One MBR-ROUGE-1 selection over 1024 samples of ~256 tokens (Zipf-like ids over a 32k vocabulary). */
    private static void mbrCost() {
        SplittableRandom rng = new SplittableRandom(7);
        List<ScoredSample> samples = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            int len = 192 + rng.nextInt(128);
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                ids[j] = (int) Math.floor(Math.pow(32000, rng.nextDouble())); // log-uniform: a heavy head
            }
            samples.add(new ScoredSample(TokenIds.of(ids), "s" + i, rng.nextGaussian(), FinishReason.EOS));
        }
        Mbr<TokenIds> mbr = Mbr.rouge1(Weighting.uniform());
        double[] ms = new double[5];
        for (int r = 0; r < 7; r++) {
            long t0 = System.nanoTime();
            mbr.select(samples);
            if (r >= 2) {
                ms[r - 2] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        System.out.printf("MBR ROUGE-1 at budget 1024 (~256 tokens each), one core: median %.0f ms (min %.0f, max "
                + "%.0f)%n", ms[2], ms[0], ms[4]);
    }
}
