package io.github.qalign.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of each {@link ModelSpec}, opened at most once per JVM (once per Spark executor, shared by its task
 * threads) on first use and closed when the JVM exits. Models must therefore be safe for concurrent use; the
 * in-process runtime serializes calls on one model.
 */
public final class ModelCache {

    private static final Map<ModelSpec, LoadedModels> OPEN = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "qalign-model-cache-close"));
    }

    private ModelCache() {
    }

    /**
     * The models of a spec, opened on first use.
     *
     * @param spec the spec
     * @return the shared models; do not close them
     */
    public static LoadedModels get(ModelSpec spec) {
        return OPEN.computeIfAbsent(spec, ModelSpec::open);
    }

    /** Closes every open model now (tests; the shutdown hook does it at exit). */
    public static synchronized void closeAll() {
        for (var it = OPEN.values().iterator(); it.hasNext(); ) {
            LoadedModels m = it.next();
            it.remove();
            try {
                m.close();
            } catch (Exception e) {
                // closing at exit: nothing useful to do with a failure
            }
        }
    }
}
