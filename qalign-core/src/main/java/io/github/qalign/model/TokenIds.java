package io.github.qalign.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * An immutable sequence of token ids with value semantics ({@code equals}/{@code hashCode} over the ids).
 *
 * <p>Completions, prefixes and prompts travel through the SDK as {@code TokenIds}, so that chains can compare
 * states, MBR can cache utilities of repeated pairs and majority vote can count identical completions.
 */
public final class TokenIds implements Comparable<TokenIds> {

    private static final TokenIds EMPTY = new TokenIds(new int[0]);

    private final int[] ids;
    private int hash;

    private TokenIds(int[] ids) {
        this.ids = ids;
    }

    /**
     * The empty sequence.
     *
     * @return the empty sequence
     */
    public static TokenIds empty() {
        return EMPTY;
    }

    /**
     * A sequence holding a copy of {@code ids}.
     *
     * @param ids the ids
     * @return a sequence holding a copy of {@code ids}
     */
    public static TokenIds of(int... ids) {
        Objects.requireNonNull(ids, "ids");
        return ids.length == 0 ? EMPTY : new TokenIds(ids.clone());
    }

    /**
     * A sequence holding a copy of {@code ids[from, to)}.
     *
     * @param ids the ids
     * @param from the first index, inclusive
     * @param to the last index, exclusive
     * @return a sequence holding a copy of {@code ids[from, to)}
     */
    public static TokenIds of(int[] ids, int from, int to) {
        Objects.requireNonNull(ids, "ids");
        Objects.checkFromToIndex(from, to, ids.length);
        return from == to ? EMPTY : new TokenIds(Arrays.copyOfRange(ids, from, to));
    }

    /**
     * Number of ids.
     *
     * @return number of ids
     */
    public int length() {
        return ids.length;
    }

    /**
     * Whether the sequence has no ids.
     *
     * @return whether the sequence has no ids
     */
    public boolean isEmpty() {
        return ids.length == 0;
    }

    /**
     * The id at {@code index}.
     *
     * @param index the position, in [0, length())
     * @return the id at {@code index}
     */
    public int get(int index) {
        return ids[index];
    }

    /**
     * The last id; throws if empty.
     *
     * @return the last id
     */
    public int last() {
        if (ids.length == 0) {
            throw new IllegalStateException("empty TokenIds has no last id");
        }
        return ids[ids.length - 1];
    }

    /**
     * A copy of the ids.
     *
     * @return a copy of the ids
     */
    public int[] toArray() {
        return ids.clone();
    }

    /**
     * Copies the ids into {@code dest} at {@code offset}.
     *
     * @param dest the destination array
     * @param offset the position in {@code dest} of the first id
     */
    public void copyTo(int[] dest, int offset) {
        System.arraycopy(ids, 0, dest, offset, ids.length);
    }

    /**
     * The first {@code n} ids.
     *
     * @param n how many, in [0, length()]
     * @return the first {@code n} ids
     */
    public TokenIds prefix(int n) {
        if (n < 0 || n > ids.length) {
            throw new IndexOutOfBoundsException("prefix length " + n + " outside [0, " + ids.length + "]");
        }
        return n == ids.length ? this : of(ids, 0, n);
    }

    /**
     * The ids {@code [from, to)}.
     *
     * @param from the first index, inclusive
     * @param to the last index, exclusive
     * @return the ids {@code [from, to)}
     */
    public TokenIds slice(int from, int to) {
        return (from == 0 && to == ids.length) ? this : of(ids, from, to);
    }

    /**
     * This sequence followed by {@code other}.
     *
     * @param other the other sequence
     * @return this sequence followed by {@code other}
     */
    public TokenIds concat(TokenIds other) {
        if (other.ids.length == 0) {
            return this;
        }
        if (ids.length == 0) {
            return other;
        }
        int[] out = Arrays.copyOf(ids, ids.length + other.ids.length);
        System.arraycopy(other.ids, 0, out, ids.length, other.ids.length);
        return new TokenIds(out);
    }

    /**
     * Whether this sequence starts with {@code prefix}.
     *
     * @param prefix the completion prefix
     * @return whether this sequence starts with {@code prefix}
     */
    public boolean startsWith(TokenIds prefix) {
        return prefix.ids.length <= ids.length
                && Arrays.equals(ids, 0, prefix.ids.length, prefix.ids, 0, prefix.ids.length);
    }

    /**
     * Length of the longest common prefix with {@code other}.
     *
     * @param other the other sequence
     * @return length of the longest common prefix with {@code other}
     */
    public int commonPrefixLength(TokenIds other) {
        int m = Arrays.mismatch(ids, other.ids);
        return m < 0 ? ids.length : m;
    }

    /**
     * The ids as a stream.
     *
     * @return the ids as a stream
     */
    public IntStream stream() {
        return Arrays.stream(ids);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof TokenIds t && Arrays.equals(ids, t.ids));
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && ids.length > 0) {
            h = Arrays.hashCode(ids);
            hash = h;
        }
        return h;
    }

    /** Lexicographic order of the ids (shorter first on a common prefix); used for deterministic tie-breaks. */
    @Override
    public int compareTo(TokenIds o) {
        return Arrays.compare(ids, o.ids);
    }

    @Override
    public String toString() {
        return Arrays.toString(ids);
    }
}
