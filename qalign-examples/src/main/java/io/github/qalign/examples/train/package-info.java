/**
 * Training of the experiment's Bradley-Terry reward model (as in App. F of the paper): on-policy samples of the
 * policy, one (gold-good, gold-bad) preference pair per prompt, loss {@code -log sigmoid(r_good - r_bad)}, DJL
 * autograd through {@link io.github.qalign.djl.llama.LlamaModel#forwardHidden} and a hand-written Adam; the result
 * is saved in Hugging Face {@code LlamaForSequenceClassification} layout. Entry point:
 * {@link io.github.qalign.examples.train.TrainRewardModel}. The over-optimization experiment's deliberately
 * imperfect proxy (same recipe, joy-only labels {@link io.github.qalign.examples.train.ProxyLabels}):
 * {@link io.github.qalign.examples.train.ProxyRewardTraining}, entry point
 * {@link io.github.qalign.examples.train.TrainProxyRewardModel}.
 */
package io.github.qalign.examples.train;
