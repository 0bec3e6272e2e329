/**
 * The {@code qalign} command line (picocli): {@code demo}, {@code sample} and {@code sweep}. Entry point
 * {@link io.github.qalign.examples.cli.QalignCli#main(String[])}. Usage errors (bad flag, bad value, missing file or
 * directory) print one line naming the problem and exit with status 2; runtime failures exit with status 1.
 */
package io.github.qalign.examples.cli;
