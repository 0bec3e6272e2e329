/**
 * Serving the DJL runtime's in-process Llama models with {@link io.github.qalign.serve.QalignServer}. Needs
 * qalign-djl on the classpath (an optional dependency of qalign-serve).
 */
package io.github.qalign.serve.djl;
