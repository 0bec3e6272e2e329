package io.github.qalign.examples.cli;

import io.github.qalign.remote.ServedModels;

/** Builds the served policy and reward model from {@link EndpointOptions} (and the checkpoint folders, if given). */
final class RemoteModels {

    private RemoteModels() {
    }

    static LoadedModels load(ModelOptions m) {
        EndpointOptions e = m.endpoints;
        ServedModels served = ServedModels.open(e.dialect(), e.policyEndpoints, e.rewardEndpoints,
                e.policyTokenizer != null ? e.policyTokenizer : m.policy,
                e.rewardTokenizer != null ? e.rewardTokenizer : m.reward, e.rewardHead);
        return new LoadedModels(served.policy(), served.reward(), served::close);
    }
}
