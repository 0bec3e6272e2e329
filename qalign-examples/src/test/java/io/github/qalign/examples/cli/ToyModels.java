package io.github.qalign.examples.cli;

import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@link ModelFactory} of toy models that records what it was asked to load. */
final class ToyModels implements ModelFactory {

    final List<String> loads = new ArrayList<>();

    @Override
    public LoadedModels load(Path policyDir, Path rewardDir, String device, int maxCompletionTokens) {
        loads.add(policyDir + "|" + rewardDir + "|" + device);
        ToyLanguageModel lm = ToyLanguageModel.builder().symbols(4).seed(3).eosBias(0.5).parameterCount(1000)
                .build();
        ToyRewardModel rm = ToyRewardModel.seeded(5, 1.0).withParameterCount(100);
        return new LoadedModels(lm, rm, () -> { });
    }
}
