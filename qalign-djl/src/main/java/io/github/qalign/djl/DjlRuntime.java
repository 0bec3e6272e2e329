package io.github.qalign.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's PyTorch engine the way this library needs it: offline (no model hub, no native download, no
 * telemetry), from the native libraries shipped as Maven jars, with a thread setting that does not collapse on a busy
 * machine.
 *
 * <p>Threads: when the user sets none (neither {@code -Dai.djl.pytorch.num_threads} nor the {@code OMP_NUM_THREADS}
 * environment variable), the engine starts with {@link #defaultIntraOpThreads(int)} intra-op threads
 * ({@code min(4, max(1, cores / 2))}: 1 on a 2-core machine) and 1 inter-op thread (the forward pass is one stream of
 * operations; the inter-op pool only serves TorchScript forks), and the choice is logged once at INFO through SLF4J.
 * PyTorch's own default (one OpenMP thread per core) degrades badly when the cores are shared: on a 2-core machine
 * with a load average of ~18, decoding the embedded stories260K with 2 intra-op threads was 19x (batch 1) to 43x
 * (batch 8) slower than with 1 thread ({@code DjlThreadsBench}; OpenMP's barrier waits for whichever worker the OS
 * descheduled). A user's own setting is never changed. The properties are read when the engine starts, so they only
 * take effect if this is the first use of DJL's PyTorch engine in the JVM.
 */
public final class DjlRuntime {

    /** DJL's system property for PyTorch intra-op threads. */
    public static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    /** DJL's system property for PyTorch inter-op threads. */
    public static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    private static final Logger LOG = LoggerFactory.getLogger(DjlRuntime.class);

    private static volatile Engine engine;

    private DjlRuntime() {
    }

    /**
     * The intra-op thread count chosen when the user sets none: half the cores (leaving room for the JVM's own
     * threads and other processes, so the OpenMP team is rarely descheduled), at least 1 and at most 4 (decode of
     * small batches is dominated by per-operation overhead, which more threads do not reduce).
     *
     * @param availableProcessors the cores the JVM may use
     * @return the intra-op thread count
     */
    public static int defaultIntraOpThreads(int availableProcessors) {
        return Math.min(4, Math.max(1, availableProcessors / 2));
    }

    /**
     * Sets DJL's offline switches and, when the user set none, the thread counts (see the class comment), then returns
     * the PyTorch engine. Call before any other DJL use; every entry point of this module does.
     *
     * @return the PyTorch engine
     */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (DjlRuntime.class) {
                e = engine;
                if (e == null) {
                    if (System.getProperty("ai.djl.offline") == null) {
                        System.setProperty("ai.djl.offline", "true");
                    }
                    if (System.getProperty("OPT_OUT_TRACKING") == null) {
                        System.setProperty("OPT_OUT_TRACKING", "true");
                    }
                    chooseThreads();
                    e = Engine.getEngine("PyTorch");
                    engine = e;
                }
            }
        }
        return e;
    }

    /**
     * Checks that a device is usable by the engine before anything is allocated on it, so that asking for a GPU on a
     * machine or build without CUDA fails with one line instead of PyTorch's multi-kilobyte dispatcher dump.
     *
     * @param device the requested device, or null for the engine default
     * @return the device (the engine default when null)
     * @throws IllegalArgumentException naming the device, the CUDA devices the engine sees and what to do (docs/gpu.md)
     */
    public static Device checkDevice(Device device) {
        Engine e = engine();
        if (device == null) {
            return e.defaultDevice();
        }
        if (device.isGpu()) {
            boolean cudaBuild = e.hasCapability(StandardCapabilities.CUDA);
            int gpus = cudaBuild ? e.getGpuCount() : 0;
            if (device.getDeviceId() >= gpus) {
                throw new IllegalArgumentException("device " + device + " is not usable: the PyTorch engine (libtorch "
                        + e.getVersion() + (cudaBuild ? ", CUDA build) sees " + gpus + " CUDA device(s)"
                        : ", CPU-only build) has no CUDA support") + "; use device cpu, or see docs/gpu.md to run"
                        + " on CUDA (build with -Pcuda, PYTORCH_FLAVOR=cu128)");
            }
        }
        return device;
    }

    private static void chooseThreads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        boolean userIntra = System.getProperty(NUM_THREADS) != null || (omp != null && !omp.isBlank());
        if (!userIntra) {
            int cores = Runtime.getRuntime().availableProcessors();
            int n = defaultIntraOpThreads(cores);
            System.setProperty(NUM_THREADS, Integer.toString(n));
            boolean interSet = System.getProperty(NUM_INTEROP_THREADS) == null;
            if (interSet) {
                System.setProperty(NUM_INTEROP_THREADS, "1");
            }
            LOG.info("PyTorch threads not set: using {} intra-op thread(s) for {} available core(s){}; set -D{}=N "
                    + "(or OMP_NUM_THREADS) to choose", n, cores, interSet ? " and 1 inter-op thread" : "",
                    NUM_THREADS);
        } else {
            LOG.debug("PyTorch threads set by the user: {}={}, OMP_NUM_THREADS={}", NUM_THREADS,
                    System.getProperty(NUM_THREADS), omp);
        }
    }
}
