package io.github.qalign.djl.checkpoint;

import ai.djl.ndarray.NDManager;
import io.github.qalign.djl.DjlRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Shared setup of the checkpoint tests: starts the DJL engine (offline) and opens one base {@link NDManager} per test
 * class, closed after the class; a fresh temporary directory per test for the files a test writes.
 *
 * <p>The manager is a static field of this base class, so test classes using it must not run concurrently with each
 * other (the module's tests run one class at a time).
 */
abstract class CheckpointTestSupport {

    /** The test class's base manager, open between its {@code @BeforeAll} and {@code @AfterAll}. */
    protected static NDManager manager;

    /** A fresh temporary directory per test. */
    @TempDir
    protected Path tmp;

    @BeforeAll
    static void startEngineAndManager() {
        DjlRuntime.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
        manager = null;
    }
}
