package io.github.qalign.examples.cli;

import io.github.qalign.remote.Dialect;
import io.github.qalign.remote.RemoteLanguageModel;
import io.github.qalign.remote.RemoteRewardModel;
import io.github.qalign.remote.ScoreHead;

import java.nio.file.Path;

/** Builds the served policy and reward model from {@link EndpointOptions} (and the checkpoint folders, if given). */
final class RemoteModels {

    private RemoteModels() {
    }

    static LoadedModels load(ModelOptions m) {
        EndpointOptions e = m.endpoints;
        Dialect d = e.dialect();
        RemoteLanguageModel.Builder lb = RemoteLanguageModel.builder().dialect(d).endpoints(e.policyEndpoints);
        Path policyTok = e.policyTokenizer != null ? e.policyTokenizer : m.policy;
        if (policyTok != null) {
            lb.tokenizer(policyTok);
        }
        RemoteLanguageModel lm = lb.build();
        try {
            RemoteRewardModel.Builder rb = RemoteRewardModel.builder().dialect(d).endpoints(e.rewardEndpoints);
            Path rewardTok = e.rewardTokenizer != null ? e.rewardTokenizer : m.reward;
            if (rewardTok != null) {
                rb.tokenizer(rewardTok);
            } else {
                rb.policyIds();
            }
            if (e.rewardHead != null) {
                rb.scoreHead(ScoreHead.read(e.rewardHead, 0));
            }
            RemoteRewardModel rm = rb.build();
            return new LoadedModels(lm, rm, () -> {
                try {
                    rm.close();
                } finally {
                    lm.close();
                }
            });
        } catch (RuntimeException ex) {
            lm.close();
            throw ex;
        }
    }
}
