package io.github.qalign.sampler;

import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Prompt;
import java.util.SplittableRandom;

/**
 * The random streams of the samplers: one independent {@link SplittableRandom} per (run seed, prompt key, stream
 * index), and the default prompt key.
 *
 * <p>A stream's seed is a strong 64-bit mix (SplitMix64's finaliser, Stafford's variant 13, applied after each
 * component) of the run seed, the prompt key and the stream index (the chain index for {@link QAlignSampler}, the
 * sample index for {@link IndependentSampler}). Distinct (seed, key, index) triples give statistically independent
 * streams: each starts at a pseudo-random point of the generator's 2<sup>64</sup>-long cycle, and the chance that two
 * streams of {@code L} draws overlap is about {@code 2L / 2^64} (about 1e-13 for a million draws).
 *
 * <p>Nothing here depends on the other prompts of a run, their order, the batch size or the thread: that is what makes
 * a prompt's results depend only on (seed, key).
 */
public final class RandomStreams {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long PROMPT_DOMAIN = 0x51A1_6E00_0000_0001L;
    private static final long ID_DOMAIN = 0x51A1_6E00_0000_0002L;

    private RandomStreams() {
    }

    /**
     * SplitMix64's output function (Stafford's "Mix13"): a bijection of the 64-bit integers with full avalanche.
     *
     * @param z the input
     * @return the mixed value
     */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long absorb(long h, long v) {
        return mix64((h + GOLDEN) ^ v);
    }

    /**
     * The seed of the stream {@code index} of the prompt with {@code key} in a run with {@code seed}.
     *
     * @param seed  the run seed
     * @param key   the prompt key
     * @param index the stream index (chain or sample index), &gt;= 0
     * @return the stream's seed
     */
    public static long streamSeed(long seed, long key, long index) {
        long h = absorb(mix64(seed), key);
        h = absorb(h, index);
        return mix64(h ^ GOLDEN);
    }

    /**
     * A new generator for stream {@code index} of the prompt with {@code key}: {@code new SplittableRandom(streamSeed(...))}.
     *
     * @param seed  the run seed
     * @param key   the prompt key
     * @param index the stream index (chain or sample index), &gt;= 0
     * @return a new generator
     */
    public static SplittableRandom stream(long seed, long key, long index) {
        return new SplittableRandom(streamSeed(seed, key, index));
    }

    /**
     * The default key of a prompt: a stable 64-bit hash of its policy ids and its conversation (every message's role
     * and content, with lengths, so no two different id/message sequences are ambiguous). Stable across JVMs and
     * versions of this library (it is pure arithmetic on the ids and UTF-16 code units). Two prompts with the same
     * ids and messages have the same key, hence identical chains in the same run.
     *
     * @param prompt the prompt
     * @return its key
     */
    public static long keyOf(Prompt prompt) {
        long h = mix64(PROMPT_DOMAIN);
        h = absorb(h, prompt.ids().length());
        for (int i = 0; i < prompt.ids().length(); i++) {
            h = absorb(h, prompt.ids().get(i));
        }
        h = absorb(h, prompt.messages().size());
        for (ChatMessage m : prompt.messages()) {
            h = absorbString(absorbString(h, m.role()), m.content());
        }
        return mix64(h);
    }

    /**
     * The key of a prompt identified by a user-supplied id (e.g. the id column of an input file): a stable 64-bit hash
     * of the id's UTF-16 code units, in a domain separate from {@link #keyOf(Prompt)}.
     *
     * @param id the id, not null
     * @return its key
     */
    public static long keyOfId(String id) {
        if (id == null) {
            throw new IllegalArgumentException("prompt id must not be null");
        }
        return mix64(absorbString(mix64(ID_DOMAIN), id));
    }

    private static long absorbString(long h, String s) {
        h = absorb(h, s.length());
        int i = 0;
        // four UTF-16 units per absorbed word
        for (; i + 4 <= s.length(); i += 4) {
            h = absorb(h, (long) s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48);
        }
        long tail = 0;
        for (int k = 0; i < s.length(); i++, k++) {
            tail |= (long) s.charAt(i) << (16 * k);
        }
        return absorb(h, tail);
    }
}
