package io.github.qalign.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model endpoints in vLLM's shapes: {@code /v1/completions}, {@code /classify}, {@code /tokenize},
 * {@code /detokenize}, {@code /v1/models}.
 */
final class ModelEndpoints {

    /** vLLM's and OpenAI's default {@code max_tokens} of {@code /v1/completions}. */
    static final int DEFAULT_MAX_TOKENS = 16;

    private final ObjectMapper json;
    private final ServedPolicy policy;
    private final ServedReward reward;
    private final LanguageModel lm;
    private final RewardModel classifier;
    private final ServerConfig config;
    private final QalignServer.SeedSource seeds;
    private final long created = System.currentTimeMillis() / 1000;
    private final AtomicLong ids = new AtomicLong();

    ModelEndpoints(ObjectMapper json, ServedPolicy policy, ServedReward reward, LanguageModel lm,
                   RewardModel classifier, ServerConfig config, QalignServer.SeedSource seeds) {
        this.json = json;
        this.policy = policy;
        this.reward = reward;
        this.lm = lm;
        this.classifier = classifier;
        this.config = config;
        this.seeds = seeds;
    }

    /** {@code GET /v1/models}. */
    ObjectNode models() {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        model(data.addObject(), policy.name(), policy.contextLength());
        model(data.addObject(), reward.name(), reward.contextLength());
        return root;
    }

    private void model(ObjectNode n, String id, int maxLen) {
        n.put("id", id);
        n.put("object", "model");
        n.put("created", created);
        n.put("owned_by", "qalign");
        n.put("root", id);
        n.putNull("parent");
        n.put("max_model_len", maxLen);
    }

    /** Checks the optional {@code model} field against the served names; returns which one was named. */
    static String checkModel(ObjectNode body, String... served) {
        String m = Fields.optString(body, "", "model");
        if (m == null) {
            return served[0];
        }
        for (String s : served) {
            if (s.equals(m)) {
                return s;
            }
        }
        throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model `" + m + "` does not exist. This server serves: " + String.join(", ", served),
                Map.of());
    }

    /** A prompt field: a string, a list of ids, a list of strings or a list of lists of ids. */
    private static List<int[]> prompts(JsonNode n, String param, TextCodec codec, boolean addSpecial,
                                       List<String> texts) {
        List<int[]> out = new ArrayList<>();
        if (n == null) {
            throw ApiException.invalidField(param, "is required");
        }
        if (n.isTextual()) {
            out.add(codec.encode(n.textValue(), addSpecial));
            texts.add(n.textValue());
        } else if (n.isArray() && n.size() > 0 && n.get(0).isIntegralNumber()) {
            out.add(Fields.ids(n, param, codec.vocabSize()));
            texts.add(null);
        } else if (n.isArray() && n.size() > 0) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                if (e.isTextual()) {
                    out.add(codec.encode(e.textValue(), addSpecial));
                    texts.add(e.textValue());
                } else if (e.isArray()) {
                    out.add(Fields.ids(e, param + "[" + i + "]", codec.vocabSize()));
                    texts.add(null);
                } else {
                    throw ApiException.invalidField(param + "[" + i + "]", "expected a string or a list of token "
                            + "ids, got " + Fields.abbreviate(e));
                }
            }
        } else {
            throw ApiException.invalidField(param, "expected a string, a list of token ids, a list of strings or a "
                    + "list of lists of token ids, got " + Fields.abbreviate(n));
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).length == 0) {
                throw ApiException.invalidField(out.size() == 1 ? param : param + "[" + i + "]",
                        "the prompt is empty (no tokens)");
            }
        }
        return out;
    }

    /** Rejects OpenAI/vLLM options this server does not implement, rather than ignoring them silently. */
    private static void unsupported(ObjectNode body) {
        if (Fields.optBool(body, "", "stream", false)) {
            throw ApiException.badRequest("stream", "unsupported", "stream: streaming is not supported by this "
                    + "server; send stream=false (alignment progress: see qalign.progress)");
        }
        if (Fields.get(body, "logprobs") != null && !(body.get("logprobs").isBoolean()
                && !body.get("logprobs").booleanValue())) {
            throw ApiException.badRequest("logprobs", "unsupported", "logprobs: not supported by this server");
        }
        if (Fields.optBool(body, "", "echo", false)) {
            throw ApiException.badRequest("echo", "unsupported", "echo: not supported by this server");
        }
        if (Fields.optBool(body, "", "ignore_eos", false)) {
            throw ApiException.badRequest("ignore_eos", "unsupported", "ignore_eos: not supported by this server");
        }
        neutral(body, "min_p", 0.0);
        neutral(body, "repetition_penalty", 1.0);
        neutral(body, "presence_penalty", 0.0);
        neutral(body, "frequency_penalty", 0.0);
        JsonNode stop = Fields.get(body, "stop");
        if (stop != null && !(stop.isArray() && stop.isEmpty())) {
            throw ApiException.badRequest("stop", "unsupported", "stop: stop strings are not supported; use "
                    + "stop_token_ids");
        }
    }

    /** A sampling knob this server does not implement: accepted only at its neutral value. */
    private static void neutral(ObjectNode body, String name, double neutralValue) {
        JsonNode n = Fields.get(body, name);
        if (n != null && !(n.isNumber() && n.doubleValue() == neutralValue)) {
            throw ApiException.badRequest(name, "unsupported", name + ": only " + neutralValue + " (off) is supported "
                    + "by this server, got " + Fields.abbreviate(n));
        }
    }

    /**
     * The sampling configuration of a request: vLLM's {@code temperature} (0 = greedy, run as top-k 1),
     * {@code top_p} (1 = off), {@code top_k} (-1 or 0 = off).
     */
    static SamplingConfig sampling(ObjectNode body, int maxTokens) {
        double t = Fields.optDouble(body, "", "temperature", 1.0, 0.0, 100.0);
        double topP = Fields.optDouble(body, "", "top_p", 1.0, Double.MIN_VALUE, 1.0);
        int topK = Fields.optInt(body, "", "top_k", -1, -1, Integer.MAX_VALUE);
        SamplingConfig c = SamplingConfig.defaults().withMaxCompletionTokens(maxTokens);
        if (t == 0) {
            return c.withTopK(1);
        }
        c = c.withTemperature(t);
        if (topP < 1.0) {
            c = c.withTopP(topP);
        }
        if (topK > 0) {
            c = c.withTopK(topK);
        }
        return c;
    }

    static ApiException contextOverflow(String param, int ctx, int promptTokens, int maxTokens) {
        return ApiException.badRequest(param, "context_length_exceeded", "This model's maximum context length is "
                + ctx + " tokens. However, you requested " + (promptTokens + maxTokens) + " tokens (" + promptTokens
                + " in the prompt, " + maxTokens + " in the completion). Please reduce the length of the prompt or "
                + "max_tokens.");
    }

    /** {@code POST /v1/completions}. */
    ObjectNode completions(Exchange ex) {
        ObjectNode body = ex.body();
        String model = checkModel(body, policy.name());
        unsupported(body);
        boolean addSpecial = Fields.optBool(body, "", "add_special_tokens", true);
        List<String> texts = new ArrayList<>();
        List<int[]> prompts = prompts(Fields.get(body, "prompt"), "prompt", policy.codec(), addSpecial, texts);
        int maxTokens = Fields.optInt(body, "", "max_tokens", DEFAULT_MAX_TOKENS, 1, policy.contextLength());
        int n = Fields.optInt(body, "", "n", 1, 1, config.maxN());
        if (prompts.size() * (long) n > config.maxN()) {
            throw ApiException.invalidField("n", "prompts x n = " + prompts.size() * (long) n
                    + " exceeds the server's limit of " + config.maxN() + " sequences per request");
        }
        OptionalLong seed = Fields.optLong(body, "", "seed");
        Set<Integer> stops = new HashSet<>(Fields.optIntList(body, "stop_token_ids"));
        boolean returnIds = Fields.optBool(body, "", "return_token_ids", false);
        SamplingConfig sampling = sampling(body, maxTokens);
        for (int[] p : prompts) {
            if (p.length + maxTokens > policy.contextLength()) {
                throw contextOverflow("max_tokens", policy.contextLength(), p.length, maxTokens);
            }
        }
        List<GenerationRequest> rows = new ArrayList<>(prompts.size() * n);
        for (int i = 0; i < prompts.size(); i++) {
            String text = texts.get(i) != null ? texts.get(i) : "";
            Prompt p = new Prompt(text, TokenIds.of(prompts.get(i)));
            for (int j = 0; j < n; j++) {
                long s = seed.isPresent() ? seed.getAsLong() + j : seeds.next();
                rows.add(GenerationRequest.fresh(p, s));
            }
        }
        List<Generation> out = lm.generate(rows, sampling);

        ObjectNode root = json.createObjectNode();
        root.put("id", "cmpl-" + ids.incrementAndGet());
        root.put("object", "text_completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        ArrayNode choices = root.putArray("choices");
        long promptTokens = 0;
        long completionTokens = 0;
        long cached = 0;
        for (int i = 0; i < prompts.size(); i++) {
            int plen = prompts.get(i).length;
            promptTokens += plen;
            long computed = 0;
            for (int j = 0; j < n; j++) {
                Generation g = out.get(i * n + j);
                computed += g.usage().computedInputTokens();
                int[] cont = g.continuation().toArray();
                Integer stopId = null;
                int len = cont.length;
                for (int k = 0; k < cont.length; k++) {
                    if (stops.contains(cont[k])) {
                        len = k + 1;
                        stopId = cont[k];
                        break;
                    }
                }
                String finish;
                if (stopId != null && !(len == cont.length && g.finishReason() == FinishReason.EOS)) {
                    finish = "stop";
                } else {
                    stopId = null;
                    finish = g.finishReason() == FinishReason.EOS ? "stop" : "length";
                }
                int[] kept = len == cont.length ? cont : java.util.Arrays.copyOf(cont, len);
                completionTokens += kept.length;
                ObjectNode c = choices.addObject();
                c.put("index", i * n + j);
                c.put("text", len == cont.length ? g.text() : policy.codec().decode(kept, true));
                c.putNull("logprobs");
                c.put("finish_reason", finish);
                if (stopId == null) {
                    c.putNull("stop_reason");
                } else {
                    c.put("stop_reason", stopId.intValue());
                }
                if (returnIds) {
                    ArrayNode t = c.putArray("token_ids");
                    for (int id : kept) {
                        t.add(id);
                    }
                    ArrayNode pt = c.putArray("prompt_token_ids");
                    for (int id : prompts.get(i)) {
                        pt.add(id);
                    }
                } else {
                    c.putNull("token_ids");
                    c.putNull("prompt_token_ids");
                }
                c.putNull("prompt_logprobs");
            }
            cached += Math.max(0, plen - computed);
        }
        usage(root, promptTokens, completionTokens, cached);
        ex.log.put("model", model);
        ex.log.put("sequences", rows.size());
        ex.log.put("prompt_tokens", promptTokens);
        ex.log.put("completion_tokens", completionTokens);
        ex.log.put("cached_tokens", cached);
        return root;
    }

    static void usage(ObjectNode root, long prompt, long completion, long cached) {
        ObjectNode u = root.putObject("usage");
        u.put("prompt_tokens", prompt);
        u.put("total_tokens", prompt + completion);
        u.put("completion_tokens", completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
    }

    /** {@code POST /classify}: one label; sigmoid of the logit unless {@code use_activation} is false. */
    ObjectNode classify(Exchange ex) {
        ObjectNode body = ex.body();
        String model = checkModel(body, reward.name());
        boolean addSpecial = Fields.optBool(body, "", "add_special_tokens", true);
        boolean activation = Fields.optBool(body, "", "use_activation",
                Fields.optBool(body, "", "activation", true));
        List<String> texts = new ArrayList<>();
        List<int[]> inputs = prompts(Fields.get(body, "input"), "input", reward.codec(), addSpecial, texts);
        if (inputs.size() > config.maxN()) {
            throw ApiException.invalidField("input", inputs.size() + " inputs exceed the server's limit of "
                    + config.maxN() + " per request");
        }
        List<RewardRequest> rows = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).length > reward.contextLength()) {
                throw ApiException.badRequest(inputs.size() == 1 ? "input" : "input[" + i + "]",
                        "context_length_exceeded", "This model's maximum context length is "
                                + reward.contextLength() + " tokens. However, input " + i + " has "
                                + inputs.get(i).length + " tokens.");
            }
            String text = texts.get(i) != null ? texts.get(i) : "";
            rows.add(new RewardRequest(new Prompt(text, TokenIds.of(inputs.get(i))), TokenIds.empty(), ""));
        }
        List<Reward> scores = classifier.score(rows);
        ObjectNode root = json.createObjectNode();
        root.put("id", "classify-" + ids.incrementAndGet());
        root.put("object", "list");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        ArrayNode data = root.putArray("data");
        long tokens = 0;
        long cached = 0;
        for (int i = 0; i < scores.size(); i++) {
            double v = scores.get(i).value();
            ObjectNode d = data.addObject();
            d.put("index", i);
            d.put("label", "LABEL_0");
            d.putArray("probs").add(activation ? 1.0 / (1.0 + Math.exp(-v)) : v);
            d.put("num_classes", 1);
            tokens += inputs.get(i).length;
            cached += Math.min(inputs.get(i).length, scores.get(i).usage().reusedInputTokens());
        }
        usage(root, tokens, 0, cached);
        ex.log.put("model", model);
        ex.log.put("inputs", inputs.size());
        ex.log.put("prompt_tokens", tokens);
        return root;
    }

    /** {@code POST /tokenize}: {@code {prompt, add_special_tokens}} or {@code {messages}} (chat template). */
    ObjectNode tokenize(Exchange ex) {
        ObjectNode body = ex.body();
        String model = checkModel(body, policy.name(), reward.name());
        boolean isPolicy = model.equals(policy.name());
        TextCodec codec = isPolicy ? policy.codec() : reward.codec();
        int[] ids;
        JsonNode messages = Fields.get(body, "messages");
        if (messages != null) {
            if (!isPolicy) {
                throw ApiException.badRequest("messages", "unsupported", "messages: chat rendering is served for "
                        + "the policy " + policy.name() + " only");
            }
            ids = renderChat(lm, messages).ids().toArray();
        } else {
            String prompt = Fields.optString(body, "", "prompt");
            if (prompt == null) {
                throw ApiException.invalidField("prompt", "is required (or messages)");
            }
            ids = codec.encode(prompt, Fields.optBool(body, "", "add_special_tokens", true));
        }
        ObjectNode root = json.createObjectNode();
        root.put("count", ids.length);
        root.put("max_model_len", isPolicy ? policy.contextLength() : reward.contextLength());
        ArrayNode t = root.putArray("tokens");
        for (int id : ids) {
            t.add(id);
        }
        root.putNull("token_strs");
        return root;
    }

    /** {@code POST /detokenize}: {@code {tokens}} to {@code {prompt}} (special tokens rendered, as vLLM does). */
    ObjectNode detokenize(Exchange ex) {
        ObjectNode body = ex.body();
        String model = checkModel(body, policy.name(), reward.name());
        TextCodec codec = model.equals(policy.name()) ? policy.codec() : reward.codec();
        int[] ids = Fields.ids(Fields.get(body, "tokens"), "tokens", codec.vocabSize());
        ObjectNode root = json.createObjectNode();
        root.put("prompt", codec.decode(ids, false));
        return root;
    }

    /** Parses OpenAI chat messages and renders them with the policy's chat template. */
    static Prompt renderChat(LanguageModel lm, JsonNode messages) {
        List<ChatMessage> list = chatMessages(messages);
        try {
            return lm.prompt(list);
        } catch (UnsupportedOperationException e) {
            throw ApiException.badRequest("messages", "unsupported_conversation", "messages: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("messages", "context_length_exceeded", "messages: " + e.getMessage());
        }
    }

    static List<ChatMessage> chatMessages(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalidField("messages", "expected a non-empty list of {role, content} objects, got "
                    + Fields.abbreviate(messages));
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String p = "messages[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual() || m.path("role").textValue().isBlank()) {
                throw ApiException.invalidField(p, "expected an object with a string role, got "
                        + Fields.abbreviate(m));
            }
            JsonNode c = m.get("content");
            String content;
            if (c == null || c.isNull()) {
                content = "";
            } else if (c.isTextual()) {
                content = c.textValue();
            } else if (c.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : c) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw ApiException.invalidField(p + ".content", "only text parts are supported, got "
                                + Fields.abbreviate(part));
                    }
                    sb.append(part.get("text").textValue());
                }
                content = sb.toString();
            } else {
                throw ApiException.invalidField(p + ".content", "expected a string, got " + Fields.abbreviate(c));
            }
            out.add(new ChatMessage(m.get("role").textValue(), content));
        }
        return out;
    }
}
