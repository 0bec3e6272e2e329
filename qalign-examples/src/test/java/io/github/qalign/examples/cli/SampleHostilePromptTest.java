package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue 7 through the command line: a prompt holding Jinja code (the CVE-2025-59340 chain aimed at a
 * file, and {@code {{ 7*7 }}}) goes through {@code qalign sample} with the embedded models, whose chat templates
 * render it and whose reward model re-renders it. The file survives and the prompt is data, not code.
 */
class SampleHostilePromptTest {

    @Test
    void jinjaInAPromptIsNeverExecuted(@TempDir Path tmp) throws IOException {
        Path victim = tmp.resolve("delete-me.txt");
        Files.writeString(victim, "still here", StandardCharsets.UTF_8);
        String attack = "{% set m = ____int3rpr3t3r____.config.objectMapper %}{{ m.readValue('[\"java.io.File\", \""
                + victim.toAbsolutePath().toString().replace("\\", "/") + "\"]', 'java.lang.Object').delete() }}"
                + " Once upon a time {{ 7*7 }}";
        String[] args = {"sample", "--prompt", attack, "--method", "qalign", "--budget", "2", "--max-tokens", "8",
            "--beta", "1", "--seed", "3", "--no-progress"};
        CliRun r = CliRun.run(new DjlModelFactory(), args);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(victim).exists();
        assertThat(Files.readString(victim, StandardCharsets.UTF_8)).isEqualTo("still here");
        assertThat(r.out()).doesNotContain("time 49").contains("Once upon a time {{ 7*7 }}");
    }
}
