package io.github.qalign.djl.llama;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * Runtime options for {@link LlamaLanguageModel} and {@link LlamaRewardModel}.
 *
 * @param device        device for weights and caches, or null for the engine default
 * @param dataType      {@code FLOAT32} (default; CPU) or {@code FLOAT16} (GPU)
 * @param maxBatchSize  rows per batched forward pass (default 32)
 * @param cacheSlots    KV slots in the prefix pool; 0 = {@code 2 * maxBatchSize + 2}; at least 2
 * @param maxCacheBytes memory budget for the KV pool in bytes (0 = unlimited); lowers the slot count (and with it the
 *                      batch size) to fit
 * @param contextLength positions per KV slot (prompt + completion limit); 0 = {@code max_position_embeddings}
 */
public record LlamaOptions(Device device, DataType dataType, int maxBatchSize, int cacheSlots, long maxCacheBytes,
                           int contextLength) {

    public LlamaOptions {
        if (dataType == null) {
            dataType = DataType.FLOAT32;
        }
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("dataType must be FLOAT32 or FLOAT16, got " + dataType);
        }
        if (maxBatchSize <= 0) {
            throw new IllegalArgumentException("maxBatchSize must be > 0, got " + maxBatchSize);
        }
        if (cacheSlots < 0 || cacheSlots == 1) {
            throw new IllegalArgumentException("cacheSlots must be 0 (auto) or >= 2, got " + cacheSlots);
        }
        if (maxCacheBytes < 0) {
            throw new IllegalArgumentException("maxCacheBytes must be >= 0, got " + maxCacheBytes);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be >= 0, got " + contextLength);
        }
    }

    /** Engine default device, fp32, batch 32, automatic slots, no byte budget, full context. */
    public static LlamaOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    int resolvedContext(int maxPositions) {
        return contextLength == 0 ? maxPositions : Math.min(contextLength, maxPositions);
    }

    int resolvedSlots(long bytesPerSlot) {
        int slots = cacheSlots == 0 ? 2 * maxBatchSize + 2 : cacheSlots;
        if (maxCacheBytes > 0) {
            long fit = maxCacheBytes / Math.max(1, bytesPerSlot);
            if (fit < 2) {
                throw new IllegalArgumentException("maxCacheBytes " + maxCacheBytes + " fits fewer than 2 KV slots of "
                        + bytesPerSlot + " bytes; raise it or lower contextLength");
            }
            slots = (int) Math.min(slots, fit);
        }
        return slots;
    }

    /** Builder for {@link LlamaOptions}. */
    public static final class Builder {
        private Device device;
        private DataType dataType = DataType.FLOAT32;
        private int maxBatchSize = 32;
        private int cacheSlots;
        private long maxCacheBytes;
        private int contextLength;

        private Builder() {
        }

        /** Device (default: the engine default). */
        public Builder device(Device d) {
            this.device = d;
            return this;
        }

        /** Data type, FLOAT32 or FLOAT16. */
        public Builder dataType(DataType t) {
            this.dataType = t;
            return this;
        }

        /** Rows per forward pass. */
        public Builder maxBatchSize(int n) {
            this.maxBatchSize = n;
            return this;
        }

        /** KV slots (0 = automatic). */
        public Builder cacheSlots(int n) {
            this.cacheSlots = n;
            return this;
        }

        /** KV pool byte budget (0 = none). */
        public Builder maxCacheBytes(long bytes) {
            this.maxCacheBytes = bytes;
            return this;
        }

        /** Positions per slot (0 = the model's context). */
        public Builder contextLength(int n) {
            this.contextLength = n;
            return this;
        }

        /** The options; throws {@link IllegalArgumentException} naming a bad parameter. */
        public LlamaOptions build() {
            return new LlamaOptions(device, dataType, maxBatchSize, cacheSlots, maxCacheBytes, contextLength);
        }
    }
}
