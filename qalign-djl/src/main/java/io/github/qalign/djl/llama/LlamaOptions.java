package io.github.qalign.djl.llama;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.model.SamplingConfig;

/**
 * Runtime options for {@link LlamaLanguageModel} and {@link LlamaRewardModel}.
 *
 * @param device        device for weights and caches, or null for the engine default
 * @param dataType      {@code FLOAT32} (default; CPU) or {@code FLOAT16} (GPU)
 * @param maxBatchSize  rows per batched forward pass (default 32)
 * @param cacheSlots    KV slots in the prefix pool; 0 = {@code 2 * maxBatchSize + 2}; at least 2
 * @param maxCacheBytes memory budget for the KV pool in bytes (default 4 GiB; 0 = unlimited); lowers the slot count
 *                      (and with it the batch size) to fit
 * @param contextLength positions per KV slot (prompt + completion limit); 0 = {@code min(max_position_embeddings,
 *                      4096)}
 * @param keepTrainingWeights keep the trainable parameter arrays after the inference weights are built (default
 *                      false: a loaded model holds one copy of its weights, see
 *                      {@link LlamaModel#releaseTrainingWeights()}); set it to train or inspect the loaded model
 * @param sampler       where {@link LlamaLanguageModel} samples the next token (default {@link Sampler#AUTO})
 *
 * <p>Threads are an engine-wide setting read when DJL's PyTorch engine starts: {@code -Dai.djl.pytorch.num_threads}
 * (1 is best for tiny models and on a busy machine; 2+ pays off for large batches or large models) and
 * {@code -Dai.djl.pytorch.num_interop_threads=1}.
 */
public record LlamaOptions(Device device, DataType dataType, int maxBatchSize, int cacheSlots, long maxCacheBytes,
                           int contextLength, boolean keepTrainingWeights, Sampler sampler) {

    /**
     * Where the next token is sampled. Both placements draw from exactly the same distribution with one uniform per
     * sampled token from the request's own stream (see {@link DeviceSampler}).
     */
    public enum Sampler {
        /** {@link #DEVICE} on a GPU; on the CPU {@link #DEVICE} under top-k/top-p, else {@link #JAVA} (measured). */
        AUTO,
        /** Copy the B x V logits to the heap and sample with {@link TokenSampler} in double precision. */
        JAVA,
        /** Sample on the logits' device with {@link DeviceSampler}; only the B ids are copied to the host. */
        DEVICE
    }

    /**
     * Validates the components.
     *
     * @param device        see the record description
     * @param dataType      see the record description (null = FLOAT32)
     * @param maxBatchSize  see the record description
     * @param cacheSlots    see the record description
     * @param maxCacheBytes see the record description
     * @param contextLength see the record description
     * @param keepTrainingWeights see the record description
     * @param sampler       see the record description (null = AUTO)
     * @throws IllegalArgumentException naming a bad component
     */
    public LlamaOptions {
        if (dataType == null) {
            dataType = DataType.FLOAT32;
        }
        if (sampler == null) {
            sampler = Sampler.AUTO;
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

    /** Default context cap when {@code contextLength} is 0. */
    public static final int DEFAULT_CONTEXT_CAP = 4096;

    /** Default KV pool budget (4 GiB). */
    public static final long DEFAULT_MAX_CACHE_BYTES = 4L << 30;

    /**
     * Engine default device, fp32, batch 32, automatic slots, 4 GiB KV budget, context up to 4096.
     *
     * @return engine default device, fp32, batch 32, automatic slots, 4 GiB KV budget, context up to 4096
     */
    public static LlamaOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from {@link #defaults()}.
     *
     * @return a builder starting from {@link #defaults()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether {@link LlamaLanguageModel} samples the next token on the device for a configuration:
     * {@link Sampler#DEVICE}; {@link Sampler#JAVA} never; {@link Sampler#AUTO} on a GPU always (only B ids leave the
     * device), and on the CPU when top-k or top-p truncates (measured at V=128,256 with one PyTorch thread: the
     * device sampler cost 14-16 ms of CPU per token with top-p 0.9 against the Java sampler's 31 ms, whose truncation
     * sorts the whole vocabulary; untruncated sampling cost 1.4-3.6 ms on the device against 1.1 ms in Java, so it
     * stays in Java: docs/benchmarks-djl.md).
     *
     * @param config the sampling configuration of a call
     * @return whether {@link DeviceSampler} is used
     */
    public boolean samplesOnDevice(SamplingConfig config) {
        return switch (sampler) {
            case DEVICE -> true;
            case JAVA -> false;
            case AUTO -> device != null && device.isGpu() || config.topK().isPresent()
                    || config.topP().isPresent() && config.topP().getAsDouble() < 1;
        };
    }

    int resolvedContext(int maxPositions) {
        return contextLength == 0 ? Math.min(DEFAULT_CONTEXT_CAP, maxPositions) : Math.min(contextLength, maxPositions);
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
        private long maxCacheBytes = DEFAULT_MAX_CACHE_BYTES;
        private int contextLength;
        private boolean keepTrainingWeights;
        private Sampler sampler = Sampler.AUTO;

        private Builder() {
        }

        /**
         * Device (default: the engine default).
         *
         * @param d the device
         * @return device (default: the engine default)
         */
        public Builder device(Device d) {
            this.device = d;
            return this;
        }

        /**
         * Data type, FLOAT32 or FLOAT16.
         *
         * @param t the data type
         * @return data type, FLOAT32 or FLOAT16
         */
        public Builder dataType(DataType t) {
            this.dataType = t;
            return this;
        }

        /**
         * Rows per forward pass.
         *
         * @param n the value
         * @return rows per forward pass
         */
        public Builder maxBatchSize(int n) {
            this.maxBatchSize = n;
            return this;
        }

        /**
         * KV slots (0 = automatic).
         *
         * @param n the value
         * @return kV slots (0 = automatic)
         */
        public Builder cacheSlots(int n) {
            this.cacheSlots = n;
            return this;
        }

        /**
         * KV pool byte budget (default 4 GiB; 0 = none).
         *
         * @param bytes the budget in bytes
         * @return kV pool byte budget (default 4 GiB; 0 = none)
         */
        public Builder maxCacheBytes(long bytes) {
            this.maxCacheBytes = bytes;
            return this;
        }

        /**
         * Positions per slot (0 = the model's context, capped at {@value LlamaOptions#DEFAULT_CONTEXT_CAP}).
         *
         * @param n the value
         * @return positions per slot (0 = the model's context, capped at {@value LlamaOptions#DEFAULT_CONTEXT_CAP})
         */
        public Builder contextLength(int n) {
            this.contextLength = n;
            return this;
        }

        /**
         * Whether a loaded model keeps its trainable parameter arrays next to the inference weights (default false).
         *
         * @param keep the value
         * @return this builder
         */
        public Builder keepTrainingWeights(boolean keep) {
            this.keepTrainingWeights = keep;
            return this;
        }

        /**
         * Where the next token is sampled (default {@link Sampler#AUTO}).
         *
         * @param s the placement
         * @return this builder
         */
        public Builder sampler(Sampler s) {
            this.sampler = s;
            return this;
        }

        /**
         * The options; throws {@link IllegalArgumentException} naming a bad parameter.
         *
         * @return the options; throws {@link IllegalArgumentException} naming a bad parameter
         */
        public LlamaOptions build() {
            return new LlamaOptions(device, dataType, maxBatchSize, cacheSlots, maxCacheBytes, contextLength,
                    keepTrainingWeights, sampler);
        }
    }
}
