package io.github.qalign.remote;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A served policy and reward model opened together from endpoint lists: what the command line, the service and
 * the Spark job build from their endpoint options. Closing it closes both clients.
 *
 * @param policy the policy client
 * @param reward the reward-model client
 */
public record ServedModels(RemoteLanguageModel policy, RemoteRewardModel reward) implements AutoCloseable {

    /**
     * Validates the components.
     *
     * @param policy see the record description
     * @param reward see the record description
     */
    public ServedModels {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reward, "reward");
    }

    /**
     * Opens both clients.
     *
     * @param dialect          the servers' dialect
     * @param policyEndpoints  the policy's base URLs (several: a fleet)
     * @param rewardEndpoints  the reward model's base URLs
     * @param policyTokenizer  a folder with the policy's tokenizer files, or null for the server's {@code /tokenize}
     * @param rewardTokenizer  a folder with the reward model's tokenizer files (it then re-renders the conversation
     *                         and completion text with its own template), or null to score the policy's ids
     * @param rewardHead       a reward checkpoint folder whose {@code score.weight} row 0 turns llama.cpp embeddings
     *                         into rewards, or null
     * @return the clients; close them when done
     */
    public static ServedModels open(Dialect dialect, List<URI> policyEndpoints, List<URI> rewardEndpoints,
                                    Path policyTokenizer, Path rewardTokenizer, Path rewardHead) {
        RemoteLanguageModel.Builder lb = RemoteLanguageModel.builder().dialect(dialect).endpoints(policyEndpoints);
        if (policyTokenizer != null) {
            lb.tokenizer(policyTokenizer);
        }
        RemoteLanguageModel lm = lb.build();
        try {
            RemoteRewardModel.Builder rb = RemoteRewardModel.builder().dialect(dialect).endpoints(rewardEndpoints);
            if (rewardTokenizer != null) {
                rb.tokenizer(rewardTokenizer);
            } else {
                rb.policyIds();
            }
            if (rewardHead != null) {
                rb.scoreHead(ScoreHead.read(rewardHead, 0));
            }
            return new ServedModels(lm, rb.build());
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            reward.close();
        } finally {
            policy.close();
        }
    }
}
