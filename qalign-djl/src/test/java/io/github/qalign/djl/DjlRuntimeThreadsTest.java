package io.github.qalign.djl;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread setting {@link DjlRuntime} picks when the user sets none, observed in child JVMs (the test JVM itself
 * runs with {@code -Dai.djl.pytorch.num_threads=1}): PyTorch really runs with the chosen count, the choice is logged
 * once, and a user's own setting is left alone.
 */
class DjlRuntimeThreadsTest {

    @Test
    void defaultRuleIsHalfTheCoresBetweenOneAndFour() {
        assertThat(DjlRuntime.defaultIntraOpThreads(1)).isEqualTo(1);
        assertThat(DjlRuntime.defaultIntraOpThreads(2)).isEqualTo(1);
        assertThat(DjlRuntime.defaultIntraOpThreads(6)).isEqualTo(3);
        assertThat(DjlRuntime.defaultIntraOpThreads(64)).isEqualTo(4);
    }

    private static String child(String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:ActiveProcessorCount=6");
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void unsetThreadsAreChosenAppliedAndLoggedOnceAndUserSettingsAreKept() throws Exception {
        String chosen = child();
        assertThat(chosen).contains("TORCH_THREADS 3").contains("PROPERTY 3").contains("INTEROP 1 TORCH_INTEROP 1");
        assertThat(chosen.split("using 3 intra-op thread", -1)).hasSize(2);
        String user = child("-Dai.djl.pytorch.num_threads=2");
        assertThat(user).contains("TORCH_THREADS 2").contains("PROPERTY 2").doesNotContain("intra-op thread(s) for");
    }

    /** Child-JVM entry point: starts the engine twice and reports what PyTorch runs with. */
    static final class Main {
        public static void main(String[] args) {
            DjlRuntime.engine();
            DjlRuntime.engine();
            System.out.println("TORCH_THREADS " + JniUtils.getNumThreads());
            System.out.println("PROPERTY " + System.getProperty(DjlRuntime.NUM_THREADS));
            System.out.println("INTEROP " + System.getProperty(DjlRuntime.NUM_INTEROP_THREADS) + " TORCH_INTEROP "
                    + JniUtils.getNumInteropThreads());
        }
    }
}
