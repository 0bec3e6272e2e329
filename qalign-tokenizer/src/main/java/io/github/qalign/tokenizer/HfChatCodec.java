package io.github.qalign.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ChatCodec} of a Hugging Face checkpoint: its {@code tokenizer.json} and, when {@code tokenizer_config.json}
 * has one, its chat template.
 *
 * <ul>
 *   <li>prompt: with a template, {@code render([user], addGenerationPrompt = true)} tokenized without added special
 *       tokens (templates emit BOS themselves); without one, BOS (when the config has one) + the text's ids;</li>
 *   <li>exchange (reward models): with a template, {@code render([user, assistant], false)}; without one, BOS + the
 *       ids of {@code userText + "\n" + assistantText};</li>
 *   <li>decode: the tokenizer's decoder, special tokens skipped.</li>
 * </ul>
 */
public final class HfChatCodec implements ChatCodec, AutoCloseable {

    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final int bosId;

    /**
     * A codec over a tokenizer (which it then owns and closes).
     *
     * @param tokenizer the tokenizer
     * @param template  the chat template, or null
     * @param bosId     BOS id for template-less prompts, or -1
     */
    public HfChatCodec(HfTokenizer tokenizer, ChatTemplate template, int bosId) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = template;
        this.bosId = bosId;
    }

    /**
     * The codec of a tokenizer directory ({@code tokenizer.json} and, when present, {@code tokenizer_config.json}
     * with its chat template).
     *
     * @param dir   the directory (a checkpoint folder or just its tokenizer files)
     * @param bosId BOS id for template-less prompts (a checkpoint's {@code config.json} {@code bos_token_id}), or -1
     * @return the codec (close it to free the tokenizer)
     * @throws TokenizerException if a tokenizer file is missing or malformed
     */
    public static HfChatCodec open(Path dir, int bosId) {
        HfTokenizer tokenizer = HfTokenizer.open(dir);
        try {
            return new HfChatCodec(tokenizer, tokenizer.chatTemplate().orElse(null), bosId);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * The tokenizer.
     *
     * @return the tokenizer
     */
    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The chat template, if any.
     *
     * @return the chat template, if any
     */
    public Optional<ChatTemplate> template() {
        return Optional.ofNullable(template);
    }

    @Override
    public int[] encodePrompt(String userText) {
        Objects.requireNonNull(userText, "userText");
        if (template != null) {
            return nonEmpty(tokenizer.encode(template.render(List.of(new ChatMessage("user", userText)), true),
                    false), userText);
        }
        return nonEmpty(withBos(tokenizer.encode(userText, false)), userText);
    }

    @Override
    public int[] encodeExchange(String userText, String assistantText) {
        Objects.requireNonNull(userText, "userText");
        Objects.requireNonNull(assistantText, "assistantText");
        if (template != null) {
            String s = template.render(List.of(new ChatMessage("user", userText),
                    new ChatMessage("assistant", assistantText)), false);
            return nonEmpty(tokenizer.encode(s, false), userText);
        }
        return nonEmpty(withBos(tokenizer.encode(userText + "\n" + assistantText, false)), userText);
    }

    private int[] withBos(int[] ids) {
        if (bosId < 0) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bosId;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private static int[] nonEmpty(int[] ids, String text) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("prompt '" + text + "' encodes to no tokens (no BOS, empty text)");
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** Closes the tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
