package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * A preallocated key/value cache with a fixed number of sequence slots, created by {@link LlamaModel#newCache}.
 *
 * <p>Layout: per layer one value buffer of shape {@code [slots + 1, kvHeads, maxLength, headDim]} and one key buffer
 * of shape {@code [slots + 1, kvHeads, headDim, maxLength]} (keys stored transposed, as the attention product consumes
 * them; the extra slot is scratch space that padded positions of a batched prefill write to). New keys/values are written in
 * place, so truncating a slot to a prefix is just a length reset ({@link #truncate}) and copying a prefix to another
 * slot is one slice copy per buffer ({@link #copyPrefix}); reading a batch gives the layouts attention multiplies with
 * directly. The cache also remembers which token ids each slot holds, so callers
 * can find the
 * longest cached prefix of a new input.
 *
 * <p>Thread-safe: every method holds the monitor of the {@link LlamaModel} that created the cache, as the model's
 * forward pass does, so two threads never touch the buffers at once.
 */
public final class KvCache implements AutoCloseable {

    /** The model that created this cache; its monitor guards every operation (see {@link LlamaModel}). */
    private final LlamaModel owner;
    private final NDManager manager;
    final NDArray[] keys;
    final NDArray[] values;
    private final int slots;
    private final int maxLength;
    private final int[] lengths;
    private final int[][] tokens;
    private boolean closed;
    /** Views {@code [from, from + count)} along the slot axis of every key/value buffer, for the last block read. */
    private int blockFrom = -1;
    private int blockCount;
    private NDArray[] keyBlock;
    private NDArray[] valueBlock;

    KvCache(LlamaModel owner, NDManager manager, int layers, int slots, int maxLength, int kvHeads, int headDim, DataType dataType) {
        this.owner = owner;
        this.manager = manager;
        this.slots = slots;
        this.maxLength = maxLength;
        this.lengths = new int[slots];
        this.tokens = new int[slots][maxLength];
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        Shape shape = new Shape(slots + 1L, kvHeads, maxLength, headDim);
        Shape keyShape = new Shape(slots + 1L, kvHeads, headDim, maxLength);
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(keyShape, dataType);
            values[l] = manager.zeros(shape, dataType);
        }
    }

    /**
     * Number of sequence slots.
     *
     * @return the number of sequence slots
     */
    public int slots() {
        return slots;
    }

    /**
     * Positions per slot.
     *
     * @return positions per slot
     */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Current length (number of cached positions) of a slot.
     *
     * @param slot the slot
     * @return current length (number of cached positions) of a slot
     */
    public int length(int slot) {
        synchronized (owner) {
            checkSlot(slot);
            return lengths[slot];
        }
    }

    /**
     * The token ids a slot holds (a copy, {@code length(slot)} ids).
     *
     * @param slot the slot
     * @return the token ids a slot holds (a copy, {@code length(slot)} ids)
     */
    public int[] tokens(int slot) {
        synchronized (owner) {
            checkSlot(slot);
            return Arrays.copyOf(tokens[slot], lengths[slot]);
        }
    }

    /**
     * Length of the longest common prefix of a slot's tokens and {@code ids}.
     *
     * @param slot the slot
     * @param ids  candidate input
     * @return the common prefix length
     */
    public int commonPrefix(int slot, int[] ids) {
        synchronized (owner) {
            checkSlot(slot);
            int[] t = tokens[slot];
            int n = Math.min(lengths[slot], ids.length);
            int i = 0;
            while (i < n && t[i] == ids[i]) {
                i++;
            }
            return i;
        }
    }

    /**
     * Truncates a slot to its first {@code length} positions (a length reset; nothing is copied).
     *
     * @param slot   the slot
     * @param length new length, in [0, current length]
     */
    public void truncate(int slot, int length) {
        synchronized (owner) {
            checkSlot(slot);
            if (length < 0 || length > lengths[slot]) {
                throw new IllegalArgumentException("cannot truncate slot " + slot + " of length " + lengths[slot]
                        + " to " + length);
            }
            lengths[slot] = length;
        }
    }

    /**
     * Copies the first {@code length} positions of slot {@code from} into slot {@code to}, which then has that length.
     *
     * @param from   source slot
     * @param to     target slot (different from {@code from})
     * @param length positions to copy, in [0, length(from)]
     */
    public void copyPrefix(int from, int to, int length) {
        synchronized (owner) {
            checkSlot(from);
            checkSlot(to);
            if (from == to) {
                throw new IllegalArgumentException("copyPrefix needs two different slots, got " + from);
            }
            if (length < 0 || length > lengths[from]) {
                throw new IllegalArgumentException("cannot copy " + length + " positions from slot " + from
                        + " of length " + lengths[from]);
            }
            if (length > 0) {
                NDIndex srcIdx = new NDIndex("{}, :, :{}", from, length);
                NDIndex dstIdx = new NDIndex("{}, :, :{}", to, length);
                NDIndex srcKey = new NDIndex("{}, :, :, :{}", from, length);
                NDIndex dstKey = new NDIndex("{}, :, :, :{}", to, length);
                try (NDManager m = manager.newSubManager()) {
                    for (int l = 0; l < keys.length; l++) {
                        keys[l].set(dstKey, keys[l].get(m, srcKey));
                        values[l].set(dstIdx, values[l].get(m, srcIdx));
                    }
                }
                System.arraycopy(tokens[from], 0, tokens[to], 0, length);
            }
            lengths[to] = length;
        }
    }

    void append(int slot, int[] ids) {
        System.arraycopy(ids, 0, tokens[slot], lengths[slot], ids.length);
        lengths[slot] += ids.length;
    }

    /**
     * Views of slots {@code [from, from + count)} of layer l's key buffer ({@code which = 0}) or value buffer
     * ({@code which = 1}); the views of the most recent block are kept, so a decode loop over one block of slots
     * creates them once.
     */
    NDArray block(int which, int layer, int from, int count) {
        if (from != blockFrom || count != blockCount) {
            if (keyBlock != null) {
                for (int l = 0; l < keys.length; l++) {
                    keyBlock[l].close();
                    valueBlock[l].close();
                }
            }
            keyBlock = new NDArray[keys.length];
            valueBlock = new NDArray[keys.length];
            for (int l = 0; l < keys.length; l++) {
                keyBlock[l] = keys[l].get(new NDIndex("{}:{}", from, from + count));
                valueBlock[l] = values[l].get(new NDIndex("{}:{}", from, from + count));
            }
            blockFrom = from;
            blockCount = count;
        }
        return which == 0 ? keyBlock[layer] : valueBlock[layer];
    }

    int trashSlot() {
        return slots;
    }

    private void checkSlot(int slot) {
        owner.checkOpen();
        if (closed) {
            throw new IllegalStateException("KvCache is closed");
        }
        if (slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("slot " + slot + " outside [0, " + slots + ")");
        }
    }

    /** Called by the model (holding its monitor) before a forward pass on this cache. */
    void checkUsableBy(LlamaModel model) {
        if (model != owner) {
            throw new IllegalArgumentException("this KvCache belongs to another LlamaModel");
        }
        if (closed) {
            throw new IllegalStateException("KvCache is closed");
        }
    }

    /** Frees the buffers; waits for a running forward pass of the model to finish. */
    @Override
    public void close() {
        synchronized (owner) {
            if (!closed) {
                closed = true;
                manager.close();
            }
        }
    }
}
