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
    private long prefillCalls;

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

    /**
     * The cache.
     *
     * @return the cache
     */
    public KvCache cache() {
        return cache;
    }

    /**
     * The largest batch {@link #place} accepts.
     *
     * @return the largest batch {@link #place} accepts
     */
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
        return place(inputs, false);
    }

    /**
     * Like {@link #place(List)}; with {@code contiguous}, tries to put input {@code i} in slot {@code base + i} of a
     * block of consecutive slots that holds no other input's source (so a decode loop can read the block's KV as a
     * view instead of gathering it), copying every reused prefix into the block; falls back to the ordinary placement
     * when no such block exists.
     *
     * @param inputs     the batch
     * @param contiguous whether to prefer one consecutive block of slots
     * @return one placement per input
     */
    public List<Placement> place(List<int[]> inputs, boolean contiguous) {
        return place(inputs, contiguous, null);
    }

    /**
     * Like {@link #place(List, boolean)} with slots that must not be touched: a {@code busy} slot (a row still
     * decoding) may be the source of a prefix copy but is never a target, truncated or moved; with busy slots the
     * placement is never contiguous. Used by {@link ContinuousBatcher} to place a request while other rows run.
     *
     * @param inputs     the batch
     * @param contiguous whether to prefer one consecutive block of slots (ignored when {@code busy} is given)
     * @param busy       per slot, whether it is in use (null: none)
     * @return one placement per input
     */
    List<Placement> place(List<int[]> inputs, boolean contiguous, boolean[] busy) {
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
        boolean[] claimed = busy == null ? new boolean[slots] : Arrays.copyOf(busy, slots);
        int[] target = new int[n];
        Arrays.fill(target, -1);
        int base = contiguous && busy == null ? findBlock(n, source, reuse, isSource) : -1;
        if (base >= 0) {
            for (int i = 0; i < n; i++) {
                target[i] = base + i;
                claimed[base + i] = true;
            }
        }
        for (int i = 0; i < n; i++) {
            int s = source[i];
            if (target[i] < 0 && s >= 0 && reuse[i] > 0 && reuse[i] == cache.length(s) && !claimed[s]) {
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

    /** Start of the stalest block of n consecutive slots containing no source (except a row's own slot), or -1. */
    private int findBlock(int n, int[] source, int[] reuse, boolean[] isSource) {
        int slots = cache.slots();
        int best = -1;
        long bestAge = Long.MAX_VALUE;
        for (int base = 0; base + n <= slots; base++) {
            boolean ok = true;
            long age = 0;
            for (int i = 0; i < n && ok; i++) {
                int s = base + i;
                if (isSource[s]) {
                    // allowed only when it is row i's own source, extended in place
                    ok = source[i] == s && reuse[i] == cache.length(s) && !sourceOfOther(s, i, source, reuse);
                }
                age = Math.max(age, lastUse[s]);
            }
            if (ok && age < bestAge) {
                best = base;
                bestAge = age;
            }
        }
        return best;
    }

    private static boolean sourceOfOther(int s, int row, int[] source, int[] reuse) {
        for (int j = 0; j < source.length; j++) {
            if (j != row && source[j] == s && reuse[j] > 0) {
                return true;
            }
        }
        return false;
    }

    private boolean better(int s, int t) {
        boolean emptyS = cache.length(s) == 0;
        boolean emptyT = cache.length(t) == 0;
        if (emptyS != emptyT) {
            return emptyS;
        }
        return lastUse[s] < lastUse[t];
    }

    /**
     * Prefixes that at least two inputs of a batch share beyond what the cache already holds for them (the maximal
     * ones: a shared prefix that is itself a prefix of another returned one is left out). Computing these first, once
     * each, lets {@link #place} serve the inputs from them instead of computing the shared part once per input (the
     * prompt of best-of-n samples, the common prompt and completion prefix of reward requests).
     *
     * @param inputs the batch
     * @return prefixes to compute first (each at most one token shorter than every input that shares it)
     */
    public List<int[]> uncachedSharedPrefixes(List<int[]> inputs) {
        int n = inputs.size();
        List<int[]> found = new ArrayList<>();
        if (n < 2) {
            return found;
        }
        int[] cached = new int[n];
        for (int i = 0; i < n; i++) {
            int[] in = inputs.get(i);
            int best = 0;
            for (int s = 0; s < cache.slots(); s++) {
                best = Math.max(best, cache.commonPrefix(s, in));
            }
            cached[i] = Math.min(best, in.length - 1);
        }
        for (int i = 0; i < n; i++) {
            int[] a = inputs.get(i);
            int shared = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                int[] b = inputs.get(j);
                int m = Math.min(a.length, b.length) - 1;
                int k = 0;
                while (k < m && a[k] == b[k]) {
                    k++;
                }
                shared = Math.max(shared, k);
            }
            if (shared > cached[i]) {
                found.add(Arrays.copyOf(a, shared));
            }
        }
        // keep maximal, distinct prefixes
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            int[] p = found.get(i);
            boolean dominated = false;
            for (int j = 0; j < found.size() && !dominated; j++) {
                int[] q = found.get(j);
                if (j != i && isPrefix(p, q) && (q.length > p.length || j < i)) {
                    dominated = true;
                }
            }
            if (!dominated) {
                out.add(p);
            }
        }
        return out;
    }

    static boolean isPrefix(int[] p, int[] of) {
        if (p.length > of.length) {
            return false;
        }
        for (int k = 0; k < p.length; k++) {
            if (p[k] != of[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Computes the batch's {@link #uncachedSharedPrefixes} with {@code model} (in chunks of {@link #maxBatch()}) and
     * returns, per input, the prefix tokens computed on its behalf (all of a prefix's tokens are attributed to the
     * first input that starts with it), so that callers can report them as computed rather than reused.
     *
     * @param model  the model owning the cache
     * @param inputs the batch
     * @return per input, tokens computed for it by this prepass
     */
    public long[] prefillSharedPrefixes(LlamaModel model, List<int[]> inputs) {
        long[] attributed = new long[inputs.size()];
        List<int[]> pre = uncachedSharedPrefixes(inputs);
        for (int from = 0; from < pre.size(); from += maxBatch()) {
            List<int[]> chunk = pre.subList(from, Math.min(pre.size(), from + maxBatch()));
            List<Placement> placed = place(chunk);
            int[] slots = new int[chunk.size()];
            int[][] tails = new int[chunk.size()][];
            for (int i = 0; i < chunk.size(); i++) {
                int[] p = chunk.get(i);
                slots[i] = placed.get(i).slot();
                tails[i] = Arrays.copyOfRange(p, placed.get(i).reused(), p.length);
                for (int r = 0; r < inputs.size(); r++) {
                    if (isPrefix(p, inputs.get(r))) {
                        attributed[r] += tails[i].length;
                        break;
                    }
                }
            }
            model.forward(cache, slots, tails, LlamaModel.Head.HIDDEN);
            prefillCalls++;
        }
        return attributed;
    }

    /**
     * Forward passes run by {@link #prefillSharedPrefixes}.
     *
     * @return forward passes run by {@link #prefillSharedPrefixes}
     */
    public long prefillCalls() {
        return prefillCalls;
    }

    /**
     * Marks a slot as used now (e.g. after decoding into it).
     *
     * @param slot the slot
     */
    public void touch(int slot) {
        lastUse[slot] = ++clock;
    }

    /**
     * Input tokens served from the cache so far.
     *
     * @return input tokens served from the cache so far
     */
    public long reusedTokens() {
        return reusedTokens;
    }

    /**
     * Input tokens computed so far (excluding tokens generated while decoding).
     *
     * @return input tokens computed so far (excluding tokens generated while decoding)
     */
    public long computedTokens() {
        return computedTokens;
    }
}
