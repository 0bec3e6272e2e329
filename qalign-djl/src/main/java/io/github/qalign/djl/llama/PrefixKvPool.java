package io.github.qalign.djl.llama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prefix reuse over a {@link KvCache}: places each input of a batch in a slot whose cached tokens share the longest
 * prefix with it, so only the rest of the input has to be computed.
 *
 * <p>Policy, per batch: for every input the slot with the longest common prefix is the source (ties: most recently
 * used). At least one input token is always recomputed (its output is needed). If the whole cached sequence of the
 * source is a prefix of the input and no earlier input of the batch claimed it, the input extends that slot in place
 * (a length reset, nothing lost). Otherwise the input gets a fresh target slot — an empty slot or the least recently
 * used one that is neither a source nor a target in this batch — and the reused prefix is copied there, so the source
 * (e.g. a QAlign chain's current state while a proposal branches from it) stays cached. A batch therefore needs at
 * most {@code 2 * batch} slots; {@link #maxBatch()} is {@code slots / 2}.
 *
 * <p>Counters: input tokens reused from the cache vs. computed, cumulative.
 */
public final class PrefixKvPool {

    /**
     * Where an input was placed.
     *
     * @param slot   the slot now holding the input's reused prefix (append the rest there)
     * @param reused how many leading input tokens are already cached in {@code slot}
     */
    public record Placement(int slot, int reused) {
    }

    private final KvCache cache;
    private final long[] lastUse;
    private long clock;
    private long reusedTokens;
    private long computedTokens;

    /**
     * A pool over a cache (the pool assumes it is the only user of the cache's slots).
     *
     * @param cache the cache, at least 2 slots
     */
    public PrefixKvPool(KvCache cache) {
        if (cache.slots() < 2) {
            throw new IllegalArgumentException("a prefix pool needs at least 2 cache slots, got " + cache.slots());
        }
        this.cache = cache;
        this.lastUse = new long[cache.slots()];
    }

    /** The cache. */
    public KvCache cache() {
        return cache;
    }

    /** The largest batch {@link #place} accepts. */
    public int maxBatch() {
        return cache.slots() / 2;
    }

    /**
     * Places a batch of inputs, copying/truncating cached prefixes, and counts reused/computed tokens.
     *
     * @param inputs non-empty token sequences, at most {@link #maxBatch()}, each no longer than the slot length
     * @return one placement per input, distinct slots
     */
    public List<Placement> place(List<int[]> inputs) {
        int n = inputs.size();
        if (n == 0 || n > maxBatch()) {
            throw new IllegalArgumentException("batch of " + n + " inputs outside [1, " + maxBatch() + "] for a pool of "
                    + cache.slots() + " slots");
        }
        int slots = cache.slots();
        int[] source = new int[n];
        int[] reuse = new int[n];
        boolean[] isSource = new boolean[slots];
        for (int i = 0; i < n; i++) {
            int[] in = inputs.get(i);
            if (in.length == 0 || in.length > cache.maxLength()) {
                throw new IllegalArgumentException("input " + i + " has " + in.length + " tokens, outside [1, "
                        + cache.maxLength() + "]");
            }
            int best = -1;
            int bestLen = 0;
            for (int s = 0; s < slots; s++) {
                int l = cache.commonPrefix(s, in);
                if (l > bestLen || (l == bestLen && l > 0 && lastUse[s] > lastUse[best])) {
                    best = s;
                    bestLen = l;
                }
            }
            source[i] = best;
            reuse[i] = Math.min(bestLen, in.length - 1);
            if (best >= 0 && reuse[i] > 0) {
                isSource[best] = true;
            }
        }
        boolean[] claimed = new boolean[slots];
        int[] target = new int[n];
        Arrays.fill(target, -1);
        for (int i = 0; i < n; i++) {
            int s = source[i];
            if (s >= 0 && reuse[i] > 0 && reuse[i] == cache.length(s) && !claimed[s]) {
                target[i] = s;
                claimed[s] = true;
            }
        }
        for (int i = 0; i < n; i++) {
            if (target[i] >= 0) {
                continue;
            }
            int t = -1;
            for (int s = 0; s < slots; s++) {
                if (claimed[s] || isSource[s]) {
                    continue;
                }
                if (t < 0 || better(s, t)) {
                    t = s;
                }
            }
            if (t < 0) {
                throw new IllegalStateException("no free KV slot for input " + i + " of a batch of " + n);
            }
            target[i] = t;
            claimed[t] = true;
        }
        // copies first (sources are never targets of a copy), then length resets
        List<Placement> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int s = source[i];
            if (target[i] != s && reuse[i] > 0) {
                cache.copyPrefix(s, target[i], reuse[i]);
            }
        }
        clock++;
        for (int i = 0; i < n; i++) {
            int t = target[i];
            if (t == source[i]) {
                cache.truncate(t, reuse[i]);
            } else if (reuse[i] == 0) {
                cache.truncate(t, 0);
            }
            if (source[i] >= 0) {
                lastUse[source[i]] = clock;
            }
            lastUse[t] = clock;
            reusedTokens += reuse[i];
            computedTokens += inputs.get(i).length - reuse[i];
            out.add(new Placement(t, reuse[i]));
        }
        return out;
    }

    private boolean better(int s, int t) {
        boolean emptyS = cache.length(s) == 0;
        boolean emptyT = cache.length(t) == 0;
        if (emptyS != emptyT) {
            return emptyS;
        }
        return lastUse[s] < lastUse[t];
    }

    /** Marks a slot as used now (e.g. after decoding into it). */
    public void touch(int slot) {
        lastUse[slot] = ++clock;
    }

    /** Input tokens served from the cache so far. */
    public long reusedTokens() {
        return reusedTokens;
    }

    /** Input tokens computed so far (excluding tokens generated while decoding). */
    public long computedTokens() {
        return computedTokens;
    }
}
