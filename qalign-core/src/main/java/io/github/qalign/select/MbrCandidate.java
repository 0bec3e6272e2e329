package io.github.qalign.select;

/**
 * One distinct candidate of an MBR selection (samples with equal views are one candidate).
 *
 * @param firstIndex      index of the candidate's first occurrence in the sample list
 * @param multiplicity    how many samples share this candidate (repeated chain states)
 * @param weight          the summed normalised weight of those samples
 * @param expectedUtility sum over distinct references t of weight_t * u(candidate, t)
 */
public record MbrCandidate(int firstIndex, int multiplicity, double weight, double expectedUtility) {
}
