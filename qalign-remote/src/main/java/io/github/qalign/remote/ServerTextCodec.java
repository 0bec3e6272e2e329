package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.model.ChatMessage;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Tokenization by the server, for users without the model's tokenizer files: vLLM's {@code /tokenize} (with
 * {@code messages}, so the server applies the model's chat template) and {@code /detokenize}; llama.cpp's
 * {@code /apply-template} then {@code /tokenize}, and {@code /detokenize}. Every call is a round trip, so local
 * tokenizer files are faster; ids are what the server's own tokenizer says, so they match what it generates. EOS ids
 * are dropped before decoding (llama.cpp renders them as text).
 */
final class ServerTextCodec implements TextCodec {

    private final HttpJsonClient client;
    private final Dialect dialect;
    private final String model;
    private final int vocabSize;
    private final int[] eosIds;

    ServerTextCodec(HttpJsonClient client, Dialect dialect, String model, int vocabSize, int[] eosIds) {
        this.client = Objects.requireNonNull(client, "client");
        if (dialect == Dialect.SGLANG) {
            throw new UnsupportedOperationException("SGLang has no documented chat-template tokenization endpoint: "
                    + "give the model's tokenizer files (tokenizer.json, tokenizer_config.json)");
        }
        this.dialect = dialect;
        this.model = model;
        this.vocabSize = vocabSize;
        this.eosIds = eosIds.clone();
    }

    @Override
    public int[] encode(List<ChatMessage> messages, boolean addGenerationPrompt) {
        String key = "tokenize";
        if (dialect == Dialect.VLLM) {
            ObjectNode b = HttpJsonClient.JSON.createObjectNode();
            if (model != null) {
                b.put("model", model);
            }
            messages(b.putArray("messages"), messages);
            b.put("add_generation_prompt", addGenerationPrompt);
            b.put("add_special_tokens", false);
            return client.post(key, "/tokenize", b, true, r -> tokens(r, "tokens"));
        }
        if (!addGenerationPrompt) {
            throw new UnsupportedOperationException("llama.cpp's /apply-template always appends the assistant header;"
                    + " a reward model on llama.cpp needs its tokenizer files to render an exchange");
        }
        ObjectNode t = HttpJsonClient.JSON.createObjectNode();
        messages(t.putArray("messages"), messages);
        String text = client.post(key, "/apply-template", t, true, r -> {
            JsonNode p = r.get("prompt");
            if (p == null || !p.isTextual()) {
                throw new InvalidResponseException("'prompt' is missing or not a string");
            }
            return p.asText();
        });
        ObjectNode b = HttpJsonClient.JSON.createObjectNode();
        b.put("content", text);
        b.put("add_special", false);
        b.put("parse_special", true);
        return client.post(key, "/tokenize", b, true, r -> tokens(r, "tokens"));
    }

    private int[] tokens(JsonNode r, String field) {
        JsonNode a = r.get(field);
        if (a == null) {
            throw new InvalidResponseException("'" + field + "' is missing");
        }
        int[] ids = CompletionProtocol.idArray(a, vocabSize, field);
        if (ids.length == 0) {
            throw new InvalidResponseException("'" + field + "' is empty");
        }
        return ids;
    }

    private static void messages(ArrayNode a, List<ChatMessage> messages) {
        for (ChatMessage m : messages) {
            a.addObject().put("role", m.role()).put("content", m.content());
        }
    }

    @Override
    public String decode(int[] ids) {
        int[] kept = Arrays.stream(ids).filter(id -> Arrays.stream(eosIds).noneMatch(e -> e == id)).toArray();
        if (kept.length == 0) {
            return "";
        }
        ObjectNode b = HttpJsonClient.JSON.createObjectNode();
        if (dialect == Dialect.VLLM && model != null) {
            b.put("model", model);
        }
        ArrayNode a = b.putArray("tokens");
        for (int id : kept) {
            a.add(id);
        }
        String field = dialect == Dialect.VLLM ? "prompt" : "content";
        return client.post("detokenize", "/detokenize", b, true, r -> {
            JsonNode p = r.get(field);
            if (p == null || !p.isTextual()) {
                throw new InvalidResponseException("'" + field + "' is missing or not a string");
            }
            return p.asText();
        });
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public void close() {
        // nothing held
    }
}
