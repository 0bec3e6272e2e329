package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling: help, parse errors, bad values, missing files; each error is one line with status 2. */
class CliArgumentsTest {

    @TempDir
    Path tmp;

    private final ToyModels models = new ToyModels();

    private CliRun run(String... args) {
        return CliRun.run(models, args);
    }

    private static void assertUsageError(CliRun r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains(fragments);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void topLevelHelpListsSubcommandsAndExitCodes() {
        CliRun r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(flat(r.out())).contains("demo", "sample", "sweep", "BUDGET", "2 usage error");
    }

    @Test
    void sampleHelpExplainsTheKnobs() {
        CliRun r = run("sample", "--help");
        assertThat(r.code()).isZero();
        assertThat(flat(r.out())).contains("--beta", "Smaller beta trusts the reward model more", "--budget",
                "Samples per prompt", "Compute grows linearly",
                "--target-acceptance", "--chains", "--temperature", "--max-tokens", "--seed", "--device",
                "--policy", "--reward", "--method", "--output");
    }

    private static String flat(String s) {
        return s.replaceAll("\\s+", " ");
    }

    @Test
    void sweepAndDemoHelp() {
        assertThat(run("sweep", "--help").out()).contains("--budget", "--methods", "sweep.png", "gold");
        assertThat(run("demo", "--help").out()).contains("demo.png", "--budget");
        assertThat(run("help", "sample").out()).contains("--beta");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError(run("sample", "--prompt", "x", "--bogus"), "Unknown option", "--bogus",
                "qalign sample");
        assertUsageError(run("frobnicate"), "frobnicate");
    }

    @Test
    void nonNumericValueIsAUsageError() {
        assertUsageError(run("sample", "--prompt", "x", "--budget", "many"), "--budget", "many");
        assertUsageError(run("sample", "--prompt", "x", "--temperature", "hot"), "--temperature", "hot");
    }

    @Test
    void unknownMethodIsAUsageError() {
        assertUsageError(run("sample", "--prompt", "x", "--method", "greedy"), "--method", "greedy");
    }

    @Test
    void outOfRangeValuesAreUsageErrors() {
        assertUsageError(run("sample", "--prompt", "x", "--budget", "0"), "--budget must be in [1, 4096]");
        assertUsageError(run("sample", "--prompt", "x", "--temperature", "-0.5"), "--temperature");
        assertUsageError(run("sample", "--prompt", "x", "--max-tokens", "-3"), "--max-tokens");
        assertUsageError(run("sample", "--prompt", "x", "--beta", "-1"), "--beta must be");
        assertUsageError(run("sample", "--prompt", "x", "--target-acceptance", "1.5"), "--target-acceptance");
        assertUsageError(run("sample", "--prompt", "x", "--budget", "6", "--chains", "4"), "multiple of --chains");
        assertUsageError(run("sample", "--prompt", "x", "--device", "tpu"), "--device", "tpu");
        assertUsageError(run("sweep", "--prompt-count", "65"), "--prompt-count must be in [1, 64]");
        assertUsageError(run("demo", "--budget", "0"), "--budget must be in [1, 4096]");
    }

    @Test
    void contradictoryOptionsAreUsageErrors() {
        assertUsageError(run("sample", "--prompt", "x", "--beta", "1", "--target-acceptance", "0.5"),
                "mutually exclusive");
        assertUsageError(run("sample", "--prompt", "x", "--method", "bon", "--beta", "1"), "qalign or wmv");
        assertUsageError(run("sample", "--prompt", "x", "--method", "mbr", "--chains", "2", "--budget", "4"),
                "--chains applies to --method qalign");
        assertUsageError(run("sample"), "exactly one of --prompt");
        assertUsageError(run("sample", "--prompt", "x", "--prompts", "p.jsonl"), "exactly one of --prompt");
    }

    @Test
    void missingPromptFileIsAUsageErrorNamingTheFile() {
        Path missing = tmp.resolve("nope.jsonl");
        assertUsageError(run("sample", "--prompts", missing.toString()), "--prompts", "file not found",
                "nope.jsonl");
        assertUsageError(run("sweep", "--prompts", missing.toString()), "--prompts", "nope.jsonl");
    }

    @Test
    void malformedPromptFileNamesTheLine() throws IOException {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\": \"ok\"}\n{\"text\": \"no prompt field\"}\n");
        assertUsageError(run("sample", "--prompts", f.toString()), "bad.jsonl:2", "\"prompt\"");
        Files.writeString(f, "{\"prompt\": \"ok\"}\nnot json\n");
        assertUsageError(run("sample", "--prompts", f.toString()), "bad.jsonl:2", "not valid JSON");
        Files.writeString(f, "\n\n");
        assertUsageError(run("sample", "--prompts", f.toString()), "holds no prompt");
    }

    @Test
    void missingOrIncompleteCheckpointDirectoriesAreUsageErrors() throws IOException {
        assertUsageError(run("sample", "--prompt", "x", "--policy", tmp.resolve("none").toString()),
                "--policy", "directory not found");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertUsageError(run("sample", "--prompt", "x", "--reward", file.toString()), "--reward",
                "not a directory");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertUsageError(run("sample", "--prompt", "x", "--reward", empty.toString()), "--reward",
                "has no config.json");
        Files.writeString(empty.resolve("config.json"), "{}");
        assertUsageError(run("sample", "--prompt", "x", "--policy", empty.toString()), "--policy",
                "has no model.safetensors");
        assertThat(models.loads).isEmpty();
    }

    @Test
    void outputInAMissingDirectoryIsAUsageError() {
        assertUsageError(run("sample", "--prompt", "x", "--output", tmp.resolve("no/such/out.jsonl").toString()),
                "--output", "directory not found");
    }

    @Test
    void outDirThatIsAFileIsAUsageError() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        assertUsageError(run("sweep", "--out", file.toString()), "--out", "not a directory");
    }

    @Test
    void modelLoadingFailureIsARuntimeErrorWithOneLine() {
        ModelFactory broken = (p, r, d, n) -> {
            throw new IllegalArgumentException("tensor model.norm.weight has shape [3], expected [64]");
        };
        CliRun r = CliRun.run(broken, "sample", "--prompt", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("qalign sample: error: cannot load the models", "model.norm.weight");
    }

    @Test
    void hugeCountsAreUsageErrorsBeforeAnyAllocationOrModelLoad() {
        assertUsageError(run("sample", "--prompt", "x", "--budget", "2000000000"), "--budget must be in [1, 4096]",
                "2000000000");
        assertUsageError(run("sample", "--prompt", "x", "--method", "bon", "--budget", "2000000000"),
                "--budget must be in [1, 65536]");
        assertUsageError(run("sample", "--prompt", "x", "--method", "mv", "--budget", "65537"),
                "--budget must be in [1, 65536]");
        assertUsageError(run("sample", "--prompt", "x", "--method", "mbr", "--budget", "4097"),
                "--budget must be in [1, 4096]", "quadratic");
        assertUsageError(run("sweep", "--budget", "2000000000"), "--budget must be in [1, 4096]");
        assertUsageError(run("sweep", "--methods", "bon,mv", "--budget", "65537"), "--budget must be in [1, 65536]");
        assertUsageError(run("demo", "--budget", "2000000000"), "--budget must be in [1, 4096]");
        assertUsageError(run("sample", "--prompt", "x", "--max-tokens", "2000000000"),
                "--max-tokens must be in [1, 65536]");
        assertUsageError(run("demo", "--max-tokens", "2000000000"), "--max-tokens must be in [1, 65536]");
        assertUsageError(run("sample", "--prompt", "x", "--budget", "4", "--chains", "2000000000"),
                "--chains must be in [1, 4]");
        assertUsageError(run("sample", "--prompt", "x", "--chunk-prompts", "0"), "--chunk-prompts must be in [1, 1024]");
        assertUsageError(run("sample", "--prompt", "x", "--chunk-prompts", "2000000000"), "--chunk-prompts");
        // each bound alone is fine, the product is not: memory held at once is bounded too
        assertUsageError(run("sample", "--prompt", "x", "--method", "bon", "--budget", "65536", "--max-tokens",
                "65536"), "--budget 65536 x --max-tokens 65536", "completion tokens held at once", "lower");
        java.util.List<String> nine = new java.util.ArrayList<>(java.util.List.of("sample", "--method", "bon",
                "--budget", "65536", "--max-tokens", "200"));
        for (int i = 0; i < 9; i++) {
            nine.addAll(java.util.List.of("--prompt", "p" + i));
        }
        assertUsageError(run(nine.toArray(new String[0])), "--chunk-prompts 8 x --budget 65536 x --max-tokens 200",
                "completion tokens held at once");
        assertUsageError(run("sweep", "--budget", "4096", "--max-tokens", "4096"), "64 prompts x --budget 4096",
                "held at once");
        assertUsageError(run("demo", "--budget", "4096", "--max-tokens", "65536"), "--prompt-count 16",
                "held at once");
        // beyond int: a parse error naming the flag, not an overflow
        assertUsageError(run("sample", "--prompt", "x", "--budget", "99999999999"), "--budget", "99999999999");
        assertThat(models.loads).isEmpty();
    }

    @Test
    void nonFiniteNumbersAreUsageErrors() {
        for (String v : new String[] {"NaN", "Infinity", "-Infinity", "1e400"}) {
            assertUsageError(run("sample", "--prompt", "x", "--temperature", v), "--temperature must be a finite");
            assertUsageError(run("sample", "--prompt", "x", "--beta", v), "--beta must be a finite");
            assertUsageError(run("sample", "--prompt", "x", "--target-acceptance", v), "--target-acceptance");
            assertUsageError(run("demo", "--beta", v), "--beta must be a finite");
        }
        assertUsageError(run("sample", "--prompt", "x", "--temperature", "101"), "(0, 100.0]");
        assertUsageError(run("sample", "--prompt", "x", "--beta", "1e7"), "--beta", "1000000.0");
        assertThat(models.loads).isEmpty();
    }

    @Test
    void anOversizedPromptsFileIsRefusedUnread() throws IOException {
        Path big = tmp.resolve("big.jsonl");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(io.github.qalign.examples.io.PromptsFile.MAX_BYTES + 1); // sparse: no disk, no read
        }
        assertUsageError(run("sample", "--prompts", big.toString()), "--prompts", "big.jsonl",
                "more than the 268435456 bytes read");
        assertUsageError(run("sweep", "--prompts", big.toString()), "--prompts", "268435456");
    }

    @Test
    void outputThatIsADirectoryIsAUsageError() {
        assertUsageError(run("sample", "--prompt", "x", "--output", tmp.toString()), "--output", "is a directory");
    }
}
