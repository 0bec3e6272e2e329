/** Prompt files of the command line (JSON lines, with their extra fields). */
package io.github.qalign.examples.io;
