package io.github.qalign.djl.llama;

import io.github.qalign.model.ChatMessage;
import io.github.qalign.tokenizer.ChatCodec;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Test codec for random tiny models: BOS=1, each char to an id in [3, vocab), decode prints ids. */
final class CharCodec implements ChatCodec {
    private final int vocab;

    CharCodec(int vocab) {
        this.vocab = vocab;
    }

    @Override
    public int[] encodePrompt(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append(sb.length() == 0 ? "" : "|").append(m.content());
        }
        return encodePrompt(sb.toString());
    }

    @Override
    public int[] encodeExchange(List<ChatMessage> messages, String completion) {
        return encodePrompt(ChatCodec.withAssistant(messages, completion));
    }

    @Override
    public int[] encodePrompt(String userText) {
        int[] ids = new int[userText.length() + 1];
        ids[0] = 1;
        for (int i = 0; i < userText.length(); i++) {
            ids[i + 1] = 3 + userText.charAt(i) % (vocab - 3);
        }
        return ids;
    }

    @Override
    public int[] encodeExchange(String userText, String assistantText) {
        return encodePrompt(userText + "|" + assistantText);
    }

    @Override
    public String decode(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }
}
