/**
 * Choosing beta: the acceptance-rate tuner and the best-of-n-equivalent beta.
 */
package io.github.qalign.beta;
