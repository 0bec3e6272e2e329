package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.examples.task.PromptSplit;
import io.github.qalign.examples.task.StoryPrompts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qalign sample --output} in a real child JVM on the embedded models, stopped by SIGINT and by SIGKILL once
 * it has finished a few prompts: the file holds every finished prompt as valid JSON lines, and {@code --resume}
 * (in this JVM) completes it into exactly the bytes of an uninterrupted run.
 */
class SampleInterruptTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROMPTS = 12;

    @TempDir
    static Path tmp;

    static Path prompts;
    static byte[] reference;

    private static String[] args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("sample", "--prompts", prompts.toString(), "--method", "qalign",
                "--budget", "8", "--max-tokens", "32", "--beta", "1", "--seed", "9", "--chunk-prompts", "3",
                "--no-progress", "--output",
                out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @BeforeAll
    static void uninterruptedReference() throws IOException {
        prompts = tmp.resolve("prompts.jsonl");
        List<String> lines = new ArrayList<>();
        List<String> openings = StoryPrompts.split(PromptSplit.EVAL, PROMPTS);
        for (int i = 0; i < PROMPTS; i++) {
            lines.add(JSON.createObjectNode().put("id", 1000 + i).put("prompt", openings.get(i)).toString());
        }
        Files.write(prompts, lines, StandardCharsets.UTF_8);
        Path ref = tmp.resolve("reference.jsonl");
        CliRun r = CliRun.run(new DjlModelFactory(), args(ref));
        assertThat(r.code()).as(r.err()).isZero();
        reference = Files.readAllBytes(ref);
    }

    /** The command running the CLI main in a child JVM on this JVM's class path. */
    private static List<String> command(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), QalignCli.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the CLI main in a child JVM and waits until {@code out} holds {@code results} result lines. */
    private static Process startAndWait(Path out, int results) throws IOException, InterruptedException {
        List<String> cmd = command(args(out));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(out.getFileName() + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(out) && resultLines(out) >= results) {
                return p;
            }
            if (!p.isAlive()) {
                throw new AssertionError("child exited " + p.exitValue() + " early: "
                        + Files.readString(tmp.resolve(out.getFileName() + ".log")));
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        throw new AssertionError("child did not finish " + results + " prompts in 120 s");
    }

    private static long resultLines(Path out) throws IOException {
        return Files.readString(out).lines().filter(l -> l.startsWith("{\"type\":\"result\"")).count();
    }

    /** Checks that every complete line is JSON, returns the number of finished prompts. */
    private static int checkPartial(Path out, boolean allowCutTail) throws IOException {
        String text = Files.readString(out);
        if (!allowCutTail) {
            assertThat(text).endsWith("\n");
        }
        String[] lines = text.split("\n", -1);
        int results = 0;
        boolean summary = false;
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode n = JSON.readTree(lines[i]);
            String type = n.get("type").asText();
            if (i == 0) {
                assertThat(type).isEqualTo("settings");
            }
            if (type.equals("result")) {
                assertThat(n.get("prompt_index").asInt()).isEqualTo(results);
                assertThat(n.get("input").get("id").asInt()).isEqualTo(1000 + results);
                results++;
            }
            summary |= type.equals("summary");
        }
        assertThat(summary).as("the run was stopped before its end").isFalse();
        assertThat(results).isBetween(2, PROMPTS - 1);
        // every finished prompt's lines are those of the uninterrupted run
        assertThat(new String(reference, StandardCharsets.UTF_8)).startsWith(
                text.substring(0, text.lastIndexOf('\n') + 1));
        return results;
    }

    /** Byte equality with the reference, reported as the first differing line (not as two byte arrays). */
    private static void assertSameAsReference(Path out) throws IOException {
        String got = Files.readString(out);
        String want = new String(reference, StandardCharsets.UTF_8);
        if (!got.equals(want)) {
            List<String> g = got.lines().toList();
            List<String> w = want.lines().toList();
            int i = 0;
            while (i < Math.min(g.size(), w.size()) && g.get(i).equals(w.get(i))) {
                i++;
            }
            throw new AssertionError("resumed file differs from the uninterrupted run at line " + (i + 1) + " of "
                    + w.size() + ":\n got: " + (i < g.size() ? g.get(i) : "<end>") + "\nwant: "
                    + (i < w.size() ? w.get(i) : "<end>"));
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(reference);
    }

    @Test
    void sigintKeepsEveryFinishedPromptAndResumeCompletesTheSameBytes() throws Exception {
        Path out = tmp.resolve("sigint.jsonl");
        Process p = startAndWait(out, 3);
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(130);
        checkPartial(out, false);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".partial")))
                    .as("no temporary file left").isEmpty();
        }
        CliRun r = CliRun.run(new DjlModelFactory(), args(out, "--resume"));
        assertThat(r.code()).as(r.err()).isZero();
        assertSameAsReference(out);
    }

    @Test
    void sigkillKeepsEveryFinishedPromptAndResumeCompletesTheSameBytes() throws Exception {
        Path out = tmp.resolve("sigkill.jsonl");
        Process p = startAndWait(out, 3);
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(128 + 9);
        checkPartial(out, true);
        CliRun r = CliRun.run(new DjlModelFactory(), args(out, "--resume"));
        assertThat(r.code()).as(r.err()).isZero();
        assertSameAsReference(out);
    }

    @Test
    void standardOutputOnAFullDeviceExitsOneWithOneLine() throws Exception {
        Path err = tmp.resolve("stdout-full.err");
        Process p = new ProcessBuilder(command("sample", "--prompt", "Once upon a time", "--method", "bon",
                "--budget", "2", "--max-tokens", "8", "--no-progress"))
                .redirectOutput(new java.io.File("/dev/full")).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err);
        assertThat(p.exitValue()).as(stderr).isEqualTo(1);
        assertThat(stderr).contains("qalign sample: error: cannot write standard output");
        assertThat(stderr.lines().filter(l -> l.contains("error"))).hasSize(1);
    }
}
