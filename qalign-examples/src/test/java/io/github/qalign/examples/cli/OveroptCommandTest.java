package io.github.qalign.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-registered experiment's pipeline in miniature ({@code qalign overopt} on toy models, 5 prompts x 2 seeds,
 * budgets 1, 2, 4): outputs, resume after an interruption (byte-identical units file), refusal of other settings.
 */
class OveroptCommandTest {

    @TempDir
    Path dir;

    private Path fakeReward() throws IOException {
        Path r = dir.resolve("rm");
        Files.createDirectories(r);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.writeString(r.resolve(f), "{}");
        }
        return r;
    }

    private CliRun run(Path out, Path reward, String... extra) {
        String[] base = {"overopt", "--reward", reward.toString(), "--out", out.toString(), "--prompt-count", "5",
            "--seeds", "2", "--budget", "4", "--block", "2", "--bootstrap", "200", "--beta", "0.5", "--no-progress"};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.run(new ToyModels(), args);
    }

    /** {@link #run} with one seed, {@code seed}, instead of seeds 1 and 2. */
    private CliRun runSeeds(Path out, Path reward, int seed) {
        return CliRun.run(new ToyModels(), "overopt", "--reward", reward.toString(), "--out", out.toString(),
                "--prompt-count", "5", "--seed", String.valueOf(seed), "--seeds", "1", "--budget", "4", "--block", "2",
                "--bootstrap", "200", "--beta", "0.5", "--no-progress");
    }

    @Test
    void runsTheWholePipelineAndWritesEveryOutput() throws IOException {
        Path reward = fakeReward();
        Path out = dir.resolve("run");
        CliRun r = run(out, reward);
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out.resolve("units.jsonl"), StandardCharsets.UTF_8);
        assertEquals(1 + 10 + 1, lines.size(), "settings, 5 prompts x 2 seeds, summary");
        assertTrue(lines.get(0).contains("\"type\":\"settings\"") && lines.get(0).contains("\"beta\":0.5"));
        assertTrue(lines.get(11).contains("\"type\":\"summary\""));
        // method curves in key order, so a unit's line is the same bytes in every JVM
        String unit = lines.get(1);
        int last = -1;
        for (String key : List.of("bon", "mbr", "mv", "qalign_mbr", "qalign_mv", "sr_bon", "wmv")) {
            int at = unit.indexOf("\"" + key + "\":{");
            assertTrue(at > last, key + " out of order in " + unit);
            last = at;
        }
        List<String> csv = Files.readAllLines(out.resolve("overopt.csv"));
        assertEquals(1 + 7 * 3, csv.size(), "header + 7 methods x budgets 1, 2, 4");
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("sr_bon,4,")));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("qalign_mv,4,")));
        List<String> cmp = Files.readAllLines(out.resolve("comparisons.csv"));
        assertEquals(2, cmp.stream().filter(l -> l.startsWith("primary,")).count(), "H1 and H3 (no budget 16: no H2)");
        assertEquals(3 * 6, cmp.stream().filter(l -> l.startsWith("matched,")).count());
        assertTrue(Files.size(out.resolve("overopt.png")) > 10_000);
        assertTrue(r.out().contains("primary hypotheses") && r.out().contains("a pilot"), r.out());
        // budget 1: every method returns the first sample of its run; the independent methods share it
        assertEquals(field(csv, "bon,1,", 2), field(csv, "mv,1,", 2));
        assertEquals(field(csv, "qalign_mbr,1,", 2), field(csv, "qalign_mv,1,", 2));
    }

    @Test
    void resumesAnInterruptedRunToTheSameUnits() throws IOException {
        Path reward = fakeReward();
        Path full = dir.resolve("full");
        assertEquals(0, run(full, reward).code());
        String expected = Files.readString(full.resolve("units.jsonl"));
        List<String> lines = Files.readAllLines(full.resolve("units.jsonl"));
        Path cut = dir.resolve("cut");
        Files.createDirectories(cut);
        // settings + the first block (2 units) + half of the next line, as a kill would leave it
        String partial = String.join("\n", lines.subList(0, 3)) + "\n" + lines.get(3).substring(0, 40);
        Files.writeString(cut.resolve("units.jsonl"), partial);
        CliRun r = run(cut, reward);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 of 10 units already done"), r.out());
        assertEquals(expected, Files.readString(cut.resolve("units.jsonl")));
        assertEquals(Files.readString(full.resolve("overopt.csv")), Files.readString(cut.resolve("overopt.csv")));
    }

    /**
     * The run split over processes by seed range ({@code --seed 1 --seeds 1} and {@code --seed 2 --seeds 1}), merged
     * by scripts/merge-overopt.sh, is the one-process run: same units file, and {@code qalign overopt} on it only
     * re-does the analysis. (The toy models keep no prefix caches, so even the token accounting is equal; on the DJL
     * runtime only the second part's first block may count a few more prompt tokens.)
     */
    @Test
    void seedRangesRunAsSeparateProcessesMergeIntoTheOneProcessRun() throws IOException, InterruptedException {
        Path reward = fakeReward();
        Path full = dir.resolve("full");
        assertEquals(0, run(full, reward).code());
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, runSeeds(a, reward, 1).code());
        assertEquals(0, runSeeds(b, reward, 2).code());
        Path merged = dir.resolve("merged");
        Path script = Path.of("..", "scripts", "merge-overopt.sh");
        assertTrue(Files.isRegularFile(script), script.toAbsolutePath().toString());
        Process p = new ProcessBuilder("sh", script.toString(), merged.toString(), a.toString(), b.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        assertTrue(log.contains("merged 2 parts, seeds 1..2, 10 units"), log);
        assertEquals(Files.readString(full.resolve("units.jsonl")), Files.readString(merged.resolve("units.jsonl")));
        CliRun r = run(merged, reward);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("10 of 10 units already done"), r.out());
        assertEquals(Files.readString(full.resolve("overopt.csv")), Files.readString(merged.resolve("overopt.csv")));

        // parts that do not follow each other are refused, and nothing is written
        Path wrong = dir.resolve("wrong");
        Process q = new ProcessBuilder("sh", script.toString(), wrong.toString(), b.toString(), a.toString())
                .redirectErrorStream(true).start();
        String err = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, q.waitFor(), err);
        assertTrue(err.contains("first seed 1, expected 3"), err);
        assertTrue(Files.notExists(wrong.resolve("units.jsonl")));
    }

    @Test
    void refusesToResumeWithOtherSettings() throws IOException {
        Path reward = fakeReward();
        Path out = dir.resolve("run");
        assertEquals(0, run(out, reward).code());
        CliRun r = CliRun.run(new ToyModels(), "overopt", "--reward", reward.toString(), "--out", out.toString(),
                "--prompt-count", "5", "--seeds", "2", "--budget", "8", "--block", "2", "--bootstrap", "200",
                "--beta", "0.5", "--no-progress");
        assertEquals(QalignCli.USAGE, r.code());
        assertTrue(r.err().contains("budget is 4 in the file, 8 now"), r.err());
    }

    @Test
    void rejectsOutOfRangeOptions() throws IOException {
        Path reward = fakeReward();
        CliRun r = CliRun.run(new ToyModels(), "overopt", "--reward", reward.toString(), "--out",
                dir.resolve("x").toString(), "--prompt-count", "321", "--no-progress");
        assertEquals(QalignCli.USAGE, r.code());
        assertTrue(r.err().contains("--prompt-count must be in [1, 320]"), r.err());
        CliRun r2 = CliRun.run(new ToyModels(), "overopt", "--out", dir.resolve("y").toString(),
                "--proxy-train-prompts", "300", "--no-progress");
        assertEquals(QalignCli.USAGE, r2.code());
        assertTrue(r2.err().contains("--proxy-train-prompts must be in [1, 256]"), r2.err());
        CliRun r3 = CliRun.run(new ToyModels(), "overopt", "--out", dir.resolve("z").toString(),
                "--policy-endpoint", "http://127.0.0.1:1", "--reward-endpoint", "http://127.0.0.1:2", "--no-progress");
        assertEquals(QalignCli.USAGE, r3.code());
        assertTrue(r3.err().contains("runs in-process models only"), r3.err());
    }

    private static String field(List<String> csv, String prefix, int col) {
        return csv.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow().split(",")[col];
    }
}
