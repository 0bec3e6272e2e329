package io.github.qalign.examples.cli;

import java.nio.file.Path;

/** Loads Llama checkpoints with the DJL runtime (qalign-djl); the defaults are the embedded models. */
final class DjlModelFactory implements ModelFactory {

    @Override
    public LoadedModels load(Path policyDir, Path rewardDir, String device) {
        throw new IllegalStateException("the DJL Llama runtime is not wired yet");
    }
}
