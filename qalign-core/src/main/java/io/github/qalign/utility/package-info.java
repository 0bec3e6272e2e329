/**
 * Utilities u(a, b) in [0, 1] for minimum-Bayes-risk selection: {@link io.github.qalign.utility.Utility} and its
 * indexed form for pairwise matrices, ROUGE-1 F1 and ROUGE-L F1 over token ids or over words tokenized as Google's
 * {@code rouge_score} does, ROUGE-N / ROUGE-L precision, recall and F-measure identical to {@code rouge_score}
 * ({@link io.github.qalign.utility.Rouge}), NLTK's Porter stemmer ({@link io.github.qalign.utility.PorterStemmer}),
 * and exact match.
 */
package io.github.qalign.utility;
