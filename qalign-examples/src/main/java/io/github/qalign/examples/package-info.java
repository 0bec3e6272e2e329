/** Runnable examples and the {@code qalign} command line. */
package io.github.qalign.examples;
