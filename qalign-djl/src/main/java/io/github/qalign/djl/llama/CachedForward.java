package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The inference forward pass of {@link LlamaModel#forward}: new tokens of B sequences appended to their
 * {@link KvCache} slots in one batched pass over the re-laid-out {@link InferenceWeights}, returning the head output at
 * each row's last new token. Prefill and decode are the same code; equal-length decode rows in consecutive slots take
 * a fast path (slice writes, the KV read as a view of the cache). Called with the model's monitor held.
 */
final class CachedForward {

    private CachedForward() {
    }

    /**
     * See {@link LlamaModel#forward}; {@code model} is open and owns {@code cache}. {@code finish} maps the head output
     * ({@code [B, 1, width]} or {@code [B, width]}, on the model's device, valid only during the call) to the result:
     * a copy to the heap, or {@link DeviceSampler} (only the sampled ids leave the device).
     */
    static <R> R run(LlamaModel model, KvCache cache, int[] slots, int[][] tokens, LlamaModel.Head head,
                     Function<NDArray, R> finish) {
        int b = slots.length;
        if (b == 0 || tokens.length != b) {
            throw new IllegalArgumentException("need one token array per slot: " + b + " slots, " + tokens.length
                    + " token arrays");
        }
        model.checkHead(head);
        int maxLen = cache.maxLength();
        int n = 0;
        int lmax = 0;
        boolean[] seen = new boolean[cache.slots()];
        for (int r = 0; r < b; r++) {
            int s = slots[r];
            if (s < 0 || s >= cache.slots()) {
                throw new IllegalArgumentException("slot " + s + " outside [0, " + cache.slots() + ")");
            }
            if (seen[s]) {
                throw new IllegalArgumentException("slot " + s + " used by two rows");
            }
            seen[s] = true;
            if (tokens[r].length == 0) {
                throw new IllegalArgumentException("row " + r + " has no new tokens");
            }
            int end = cache.length(s) + tokens[r].length;
            if (end > maxLen) {
                throw new IllegalArgumentException("row " + r + ": sequence length " + end
                        + " exceeds the cache slot length " + maxLen);
            }
            for (int t : tokens[r]) {
                if (t < 0 || t >= model.config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + t + " outside [0, " + model.config.vocabSize() + ")");
                }
            }
            n = Math.max(n, tokens[r].length);
            lmax = Math.max(lmax, end);
        }
        long[] ids = new long[b * n];
        long[] pos = new long[b * n];
        long[] writeSlot = new long[b * n];
        long[] readSlot = new long[b];
        long[] lastRow = new long[b];
        float[] mask = new float[b * n * lmax];
        int trash = cache.trashSlot();
        for (int r = 0; r < b; r++) {
            int s = slots[r];
            int p0 = cache.length(s);
            int len = tokens[r].length;
            for (int j = 0; j < n; j++) {
                int i = r * n + j;
                int moff = i * lmax;
                if (j < len) {
                    ids[i] = tokens[r][j];
                    pos[i] = p0 + j;
                    writeSlot[i] = s;
                    int allowed = p0 + j;
                    Arrays.fill(mask, moff + allowed + 1, moff + lmax, Float.NEGATIVE_INFINITY);
                } else {
                    writeSlot[i] = trash;
                    Arrays.fill(mask, moff + 1, moff + lmax, Float.NEGATIVE_INFINITY);
                }
            }
            readSlot[r] = s;
            lastRow[r] = (long) r * n + len - 1;
        }
        boolean sameLength = true;
        for (int r = 1; r < b; r++) {
            sameLength &= cache.length(slots[r]) + tokens[r].length == cache.length(slots[0]) + tokens[0].length;
        }
        // a mask is only needed for causality within the new tokens or when the rows' lengths differ
        boolean needMask = n > 1 || !sameLength;
        InferenceWeights iw = model.inferenceWeights();
        boolean consecutive = true;
        for (int r = 1; r < b; r++) {
            consecutive &= slots[r] == slots[0] + r;
        }
        // decode of equal-length rows in consecutive slots: every row writes position p, reads the same slot block
        boolean uniform = n == 1 && sameLength && consecutive;
        int s0 = slots[0];
        int p = cache.length(s0);
        try (NDManager m = model.manager.newSubManager()) {
            Shape bn = new Shape(b, n);
            NDArray idArr = m.create(ids, bn);
            NDIndex writeIndex = null;
            NDIndex writeIndexT = null;
            NDArray cs;
            if (uniform) {
                // [1, 1, 2, 1, hd]: cos and signed sin of position p, broadcast over the rows
                cs = LlamaModel.attached(JniUtils.slice(LlamaModel.pt(model.ropeTable), 0, p, p + 1L, 1), m).reshape(1, 1, 2, 1, model.headDim);
            } else {
                // write positions equal the RoPE positions (padded entries go to the trash slot at position 0)
                NDArray posArr = m.create(pos, bn);
                NDArray writeSlotArr = m.create(writeSlot, bn);
                writeIndex = new NDIndex("{}, :, {}", writeSlotArr, posArr);
                writeIndexT = new NDIndex("{}, :, :, {}", writeSlotArr, posArr);
                // [B, N, 2, 1, hd]: cos and signed sin per position
                cs = model.ropeTable.get(m, new NDIndex("{}", posArr)).reshape(b, n, 2, 1, model.headDim);
            }
            // consecutive slots: the batch's KV is a view of the cache; otherwise it is gathered
            NDArray readSlots = consecutive ? null : m.create(readSlot);
            NDIndex readV = consecutive ? null : new NDIndex("{}, :, :{}", readSlots, lmax);
            NDIndex readK = consecutive ? null : new NDIndex("{}, :, :, :{}", readSlots, lmax);
            NDIndex uniformV = uniform ? new NDIndex("{}:{}, :, {}", s0, s0 + b, p) : null;
            NDIndex uniformK = uniform ? new NDIndex("{}:{}, :, :, {}", s0, s0 + b, p) : null;
            NDArray maskArr = !needMask ? null
                    : m.create(mask, n == 1 ? new Shape(b, 1, 1, lmax) : new Shape(b, 1, 1, n, lmax))
                    .toType(model.dataType, false);
            // residual stream [B, N, D + 1]: the last column is the constant sqrt(D * eps) (see InferenceWeights)
            NDArray x = iw.embed.get(m, new NDIndex("{}", idArr));
            int qk = model.heads + model.kvHeads;
            for (int l = 0; l < model.config.numHiddenLayers(); l++) {
                NDList parts = LlamaModel.linear(model.normalize(x), iw.qkv[l]).split(iw.qkvSplit, 2);
                NDArray qkPair = parts.get(0).reshape(b, n, 2, qk, model.headDim);
                NDList qkr = qkPair.mul(cs).sum(LlamaModel.SUM_AXIS_2).split(model.qkSplit, 2);
                NDArray q = qkr.get(0);
                if (uniform) {
                    // basic-slice writes are cheaper than index_put with index tensors
                    cache.keys[l].set(uniformK, qkr.get(1).reshape(b, model.kvHeads, model.headDim));
                    cache.values[l].set(uniformV, parts.get(1).reshape(b, model.kvHeads, model.headDim));
                } else {
                    cache.keys[l].set(writeIndexT, qkr.get(1));
                    cache.values[l].set(writeIndex, parts.get(1).reshape(b, n, model.kvHeads, model.headDim));
                }
                NDArray kT;
                NDArray vAll;
                if (consecutive) {
                    // a narrow of the cached slot-block view: cheaper than a multi-dimensional NDIndex get
                    kT = LlamaModel.attached(JniUtils.slice(LlamaModel.pt(cache.block(0, l, s0, b)), 3, 0, lmax, 1), m);
                    vAll = LlamaModel.attached(JniUtils.slice(LlamaModel.pt(cache.block(1, l, s0, b)), 2, 0, lmax, 1), m);
                } else {
                    kT = cache.keys[l].get(m, readK);
                    vAll = cache.values[l].get(m, readV);
                }
                NDArray att = model.attention(q, kT, vAll, maskArr, b, n, lmax);
                x = LlamaModel.linearAdd(att, iw.wo[l], x);
                NDList gu = LlamaModel.linear(model.normalize(x), iw.gu[l]).split(model.guSplit, 2);
                NDArray g = gu.get(0);
                x = LlamaModel.linearAdd(g.mul(g.getNDArrayInternal().sigmoid()).mul(gu.get(1)), iw.down[l], x);
            }
            for (int r = 0; r < b; r++) {
                cache.append(slots[r], tokens[r]);
            }
            NDArray last = n == 1 ? x : x.reshape((long) b * n, model.dim + 1L).get(new NDIndex("{}", m.create(lastRow)));
            NDArray normed = model.normalize(last);
            NDArray res = switch (head) {
                case LOGITS -> LlamaModel.linear(normed, iw.lmHead);
                case SCORE -> LlamaModel.linear(normed, iw.score);
                case HIDDEN -> normed.get(new NDIndex("..., :{}", model.dim)).mul(iw.finalNormScaled);
            };
            return finish.apply(res);
        }
    }
}
