package io.github.qalign.model;

import java.util.List;

/**
 * A scalar reward model r(x, y), batch-first (e.g. a Bradley-Terry model read at the last token).
 *
 * <p>Contract, checked by the samplers (a violation raises {@link ModelException}): one finite reward per request,
 * in order. Scoring must be deterministic.
 */
public interface RewardModel {

    /**
     * Scores every request.
     *
     * @param requests the (prompt, completion) pairs; not empty
     * @return one reward per request, in order
     */
    List<Reward> score(List<RewardRequest> requests);

    /**
     * Scores one request.
     *
     * @param request the request
     * @return its reward
     */
    default Reward score(RewardRequest request) {
        return score(List.of(request)).get(0);
    }

    /**
     * Number of parameters, for FLOPs estimates; 0 if unknown.
     *
     * @return number of parameters, for FLOPs estimates; 0 if unknown
     */
    default long parameterCount() {
        return 0;
    }
}
