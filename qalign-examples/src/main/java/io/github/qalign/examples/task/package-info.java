/**
 * The experiment's gold task on the TinyStories policy: a programmatic judgement of a story
 * ({@link io.github.qalign.examples.task.CheerfulStoryRule}) and a fixed, deterministic set of story openings split
 * into disjoint train / held-out / eval prompts ({@link io.github.qalign.examples.task.StoryPrompts}).
 */
package io.github.qalign.examples.task;
