/**
 * Measurement drivers shared by tests and the bench mains: QAlign-style prefix-reuse accounting
 * ({@link io.github.qalign.djl.diagnostics.QAlignReuse}) and long-run native-memory checks
 * ({@link io.github.qalign.djl.diagnostics.ChainMemory}).
 */
package io.github.qalign.djl.diagnostics;
