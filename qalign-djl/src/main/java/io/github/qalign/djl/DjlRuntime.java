package io.github.qalign.djl;

import ai.djl.engine.Engine;

/**
 * Starts DJL's PyTorch engine the way this library needs it: offline (no model hub, no native download, no
 * telemetry), from the native libraries shipped as Maven jars.
 */
public final class DjlRuntime {

    private static volatile Engine engine;

    private DjlRuntime() {
    }

    /**
     * Sets DJL's offline switches (unless the user set them) and returns the PyTorch engine. Call before any other
     * DJL use; every entry point of this module does.
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
                    e = Engine.getEngine("PyTorch");
                    engine = e;
                }
            }
        }
        return e;
    }
}
