/** JMH benchmarks and bench mains. */
package io.github.qalign.bench;
