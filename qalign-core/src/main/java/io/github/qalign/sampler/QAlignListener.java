package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
import java.util.List;

/**
 * Progress and telemetry callbacks of a {@link QAlignSampler} run, called on the thread that called {@code run}
 * (under both schedulings). Every method has
 * a no-op default; implement only what you need. An exception thrown by a listener aborts the run.
 */
public interface QAlignListener {

    /** The listener that does nothing. */
    QAlignListener NONE = new QAlignListener() {
    };

    /**
     * Called once after the initial states {@code y^0} are sampled and scored.
     *
     * @param event the initial states
     */
    default void onInit(InitEvent event) {
    }

    /**
     * Called after every step, once every chain has finished it (with {@link Scheduling#ASYNC} some chains may
     * already be further on); steps are reported in order, with the same content under both schedulings.
     *
     * @param event the step of every chain
     */
    default void onStep(StepEvent event) {
    }

    /**
     * Called once with the finished result.
     *
     * @param result the run's result
     */
    default void onComplete(QAlignResult result) {
    }

    /**
     * The initial states of a run.
     *
     * @param prompts         the run's prompts
     * @param chainsPerPrompt chains per prompt
     * @param totalSteps      {@code T}
     * @param states          {@code y^0} of every chain, prompt-major ({@code promptIndex * chainsPerPrompt + chain})
     * @param usage           usage of the initial LM and RM batch
     */
    record InitEvent(List<Prompt> prompts, int chainsPerPrompt, int totalSteps, List<ScoredSample> states,
                     ComputeUsage usage) {
        /**
         * Validates and copies the components.
         *
         * @param prompts see the record description
         * @param chainsPerPrompt see the record description
         * @param totalSteps see the record description
         * @param states see the record description
         * @param usage see the record description
         */
        public InitEvent {
            prompts = List.copyOf(prompts);
            states = List.copyOf(states);
        }
    }

    /**
     * One step of every chain.
     *
     * @param step            the step number, 1-based
     * @param totalSteps      {@code T}
     * @param chainsPerPrompt chains per prompt
     * @param chainSteps      the step of every chain, prompt-major
     * @param accepted        how many chains accepted their candidate in this step (the MH decision)
     * @param moved           how many chains moved: their state differs from the state before the step (at most
     *                        {@code accepted}; see {@link AcceptanceMeasure})
     * @param usage           usage of this step's LM and RM batch
     */
    record StepEvent(int step, int totalSteps, int chainsPerPrompt, List<ChainStep> chainSteps, int accepted,
                     int moved, ComputeUsage usage) {
        /**
         * Validates and copies the components.
         *
         * @param step see the record description
         * @param totalSteps see the record description
         * @param chainsPerPrompt see the record description
         * @param chainSteps see the record description
         * @param accepted see the record description
         * @param moved see the record description
         * @param usage see the record description
         */
        public StepEvent {
            chainSteps = List.copyOf(chainSteps);
        }
    }
}
