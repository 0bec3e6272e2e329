/**
 * The compute sweep behind {@code qalign sweep} and {@code qalign demo}: every method (QAlign, best-of-n, majority
 * vote, weighted majority vote, MBR) at budgets 1, 2, 4, ..., N from one run per method, measured on a gold metric
 * and on the proxy reward against compute, with CSV, text-table and PNG writers.
 */
package io.github.qalign.examples.experiment;
