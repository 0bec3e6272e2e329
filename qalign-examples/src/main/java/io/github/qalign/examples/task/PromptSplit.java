package io.github.qalign.examples.task;

/** The disjoint parts of {@link StoryPrompts}. */
public enum PromptSplit {
    /** Prompts whose on-policy samples make the reward model's training pairs. */
    TRAIN,
    /** Prompts whose pairs measure the reward model's held-out accuracy (and tune beta). */
    HELD_OUT,
    /** Prompts of the sweep and the demo; never seen by the reward model. */
    EVAL
}
