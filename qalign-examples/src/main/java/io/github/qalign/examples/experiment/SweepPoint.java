package io.github.qalign.examples.experiment;

/**
 * One method at one budget, averaged over the prompts.
 *
 * @param method             the method
 * @param budget             samples (or chain states) per prompt
 * @param prompts            number of prompts averaged
 * @param gold               mean gold score of the chosen answers
 * @param goldStdErr         standard error of that mean over prompts
 * @param proxyReward        mean reward-model score of the chosen answers
 * @param lmTokensPerPrompt  mean language-model tokens computed per prompt (input computed + generated)
 * @param rmTokensPerPrompt  mean reward-model tokens computed per prompt
 * @param flopsPerPrompt     mean FLOPs per prompt, 2 * params * computed tokens for both models
 */
public record SweepPoint(Method method, int budget, int prompts, double gold, double goldStdErr, double proxyReward,
                         double lmTokensPerPrompt, double rmTokensPerPrompt, double flopsPerPrompt) {
}
