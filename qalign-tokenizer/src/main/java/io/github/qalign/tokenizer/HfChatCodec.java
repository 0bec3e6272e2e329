package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ChatCodec} of a Hugging Face checkpoint: its {@code tokenizer.json} and, when {@code tokenizer_config.json}
 * has one, its chat template.
 *
 * <ul>
 *   <li>prompt: with a template, {@code render(messages, addGenerationPrompt = true)} tokenized without added special
 *       tokens (templates emit BOS themselves); without one, only a single user message: BOS (when the config has
 *       one) + the text's ids;</li>
 *   <li>exchange (reward models): with a template, {@code render(messages + [assistant(completion)], false)};
 *       without one, a single user message: BOS + the ids of {@code userText + "\n" + completion};</li>
 *   <li>decode: the tokenizer's decoder, special tokens skipped; a continuation is decoded in the context of its
 *       prompt so its leading space is kept.</li>
 * </ul>
 * Message contents are data: the template renders them verbatim (see {@link ChatTemplate}).
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
    public int[] encodePrompt(List<ChatMessage> messages) {
        checkMessages(messages);
        if (template != null) {
            return nonEmpty(tokenizer.encode(template.render(messages, true), false), messages);
        }
        return nonEmpty(withBos(tokenizer.encode(singleUserText(messages), false)), messages);
    }

    @Override
    public int[] encodeExchange(List<ChatMessage> messages, String completion) {
        checkMessages(messages);
        Objects.requireNonNull(completion, "completion");
        if (template != null) {
            String s = template.render(ChatCodec.withAssistant(messages, completion), false);
            return nonEmpty(tokenizer.encode(s, false), messages);
        }
        return nonEmpty(withBos(tokenizer.encode(singleUserText(messages) + "\n" + completion, false)), messages);
    }

    private static void checkMessages(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("the conversation is empty");
        }
        for (int i = 0; i < messages.size(); i++) {
            Objects.requireNonNull(messages.get(i), "message " + i);
        }
    }

    /** Without a chat template only a single user message has a defined encoding. */
    private String singleUserText(List<ChatMessage> messages) {
        if (messages.size() != 1 || !messages.get(0).role().equals(ChatMessage.USER)) {
            StringBuilder roles = new StringBuilder();
            for (ChatMessage m : messages) {
                roles.append(roles.length() == 0 ? "" : ", ").append(m.role());
            }
            throw new IllegalArgumentException(tokenizer.path() + ": the tokenizer has no chat template"
                    + " (no chat_template in tokenizer_config.json), so only a single user message can be encoded;"
                    + " got " + messages.size() + " messages [" + roles + "]");
        }
        return messages.get(0).content();
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

    private static int[] nonEmpty(int[] ids, List<ChatMessage> messages) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("a conversation of " + messages.size()
                    + " message(s) encodes to no tokens (no BOS, empty text)");
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids, true);
    }

    @Override
    public String decodeContinuation(int[] context, int[] ids) {
        return tokenizer.decodeContinuation(context, ids, true);
    }

    /** Closes the tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
