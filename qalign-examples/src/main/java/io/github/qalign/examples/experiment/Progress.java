package io.github.qalign.examples.experiment;

/** Progress of a long run, reported as phases of countable work. Called on the running thread. */
public interface Progress {

    /** Reports nothing. */
    Progress NONE = new Progress() {
    };

    /**
     * A phase starts.
     *
     * @param task  what the phase does
     * @param total units of work in the phase
     */
    default void start(String task, long total) {
    }

    /** {@code n} more units are done. */
    default void step(long n) {
    }

    /** The current phase ended. */
    default void finish() {
    }
}
