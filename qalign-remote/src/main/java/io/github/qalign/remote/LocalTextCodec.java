package io.github.qalign.remote;

import io.github.qalign.model.ChatMessage;
import io.github.qalign.tokenizer.ChatCodec;
import io.github.qalign.tokenizer.ChatTemplate;
import io.github.qalign.tokenizer.HfChatCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Local tokenization: a {@link ChatCodec} (usually {@link HfChatCodec} over the model's own {@code tokenizer.json}
 * and chat template). A one-user-message prompt goes through {@link ChatCodec#encodePrompt}, a user/assistant
 * exchange through {@link ChatCodec#encodeExchange}, exactly as the in-process models do; longer conversations need
 * a chat template.
 */
final class LocalTextCodec implements TextCodec {

    private final ChatCodec codec;
    private final int vocabSize;
    private final boolean owns;

    LocalTextCodec(ChatCodec codec, int vocabSize, boolean owns) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.vocabSize = vocabSize;
        this.owns = owns;
    }

    @Override
    public int[] encode(List<ChatMessage> messages, boolean addGenerationPrompt) {
        boolean single = messages.size() == 1 && messages.get(0).role().equals(ChatMessage.USER);
        boolean exchange = messages.size() == 2 && messages.get(0).role().equals(ChatMessage.USER)
                && messages.get(1).role().equals(ChatMessage.ASSISTANT);
        if (addGenerationPrompt && single) {
            return codec.encodePrompt(messages.get(0).content());
        }
        if (!addGenerationPrompt && exchange) {
            return codec.encodeExchange(messages.get(0).content(), messages.get(1).content());
        }
        if (codec instanceof HfChatCodec hf) {
            Optional<ChatTemplate> t = hf.template();
            if (t.isPresent()) {
                List<io.github.qalign.tokenizer.ChatMessage> ms = new ArrayList<>(messages.size());
                for (ChatMessage m : messages) {
                    ms.add(new io.github.qalign.tokenizer.ChatMessage(m.role(), m.content()));
                }
                int[] ids = hf.tokenizer().encode(t.get().render(ms, addGenerationPrompt), false);
                if (ids.length == 0) {
                    throw new IllegalArgumentException("the conversation renders to no tokens");
                }
                return ids;
            }
        }
        throw new UnsupportedOperationException("the tokenizer has no chat template: only a single user message (or a "
                + "user/assistant exchange for a reward model) can be encoded, got " + messages.size() + " messages");
    }

    @Override
    public String decode(int[] ids) {
        return codec.decode(ids);
    }

    @Override
    public int vocabSize() {
        if (vocabSize > 0) {
            return vocabSize;
        }
        return codec instanceof HfChatCodec hf ? hf.tokenizer().vocabSize() : 0;
    }

    @Override
    public void close() {
        if (owns && codec instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the tokenizer failed", e);
            }
        }
    }
}
