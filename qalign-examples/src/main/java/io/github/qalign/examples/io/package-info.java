/** Prompt files and JSON-lines output of the command line. */
package io.github.qalign.examples.io;
