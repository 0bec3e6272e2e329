/**
 * The example models: the reward model trained for the experiment (embedded as a classpath resource in Hugging Face
 * layout) and loading of policy/reward checkpoints for the command line.
 */
package io.github.qalign.examples.models;
