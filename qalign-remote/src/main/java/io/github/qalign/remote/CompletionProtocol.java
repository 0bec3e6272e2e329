package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.model.SamplingConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies and response parsing of the generation endpoints, per {@link Dialect}. Every field read from a
 * response is checked: type, range and count; anything else is an {@link InvalidResponseException} naming the field.
 */
final class CompletionProtocol {

    /** Largest id accepted when the vocabulary size is unknown. */
    static final int MAX_ID_UNKNOWN_VOCAB = 1 << 24;

    private CompletionProtocol() {
    }

    /** Why the server says it stopped. */
    enum Stop {
        /** An end-of-sequence or stop token. */
        EOS,
        /** The token budget. */
        LENGTH
    }

    /**
     * One choice as the server returned it.
     *
     * @param ids              the continuation ids
     * @param stop             why it stopped
     * @param matchedStopId    the stop token id the server names (vLLM {@code stop_reason}, SGLang
     *                         {@code finish_reason.matched}), or -1
     * @param promptTokens     prompt tokens the server counted, or -1
     * @param cachedTokens     prompt tokens served from its prefix cache, or -1
     * @param computedPrompt   prompt tokens it actually computed (llama.cpp {@code timings.prompt_n}), or -1
     */
    record Choice(int[] ids, Stop stop, int matchedStopId, long promptTokens, long cachedTokens, long computedPrompt) {
    }

    static String path(Dialect d) {
        return switch (d) {
            case VLLM -> "/v1/completions";
            case SGLANG -> "/generate";
            case LLAMA_CPP -> "/completion";
        };
    }

    /** llama.cpp seeds are uint32 with 0xFFFFFFFF meaning "random": map a long seed into [0, 2^32 - 2]. */
    static long llamaCppSeed(long seed) {
        long z = seed;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return Long.remainderUnsigned(z, 0xFFFFFFFFL);
    }

    static ObjectNode body(Dialect d, String model, int[] input, int maxTokens, long seed, int n, SamplingConfig c,
                           int[] eosIds) {
        ObjectNode b = HttpJsonClient.JSON.createObjectNode();
        double topP = c.topP().isPresent() ? c.topP().getAsDouble() : 1.0;
        switch (d) {
            case VLLM -> {
                if (model != null) {
                    b.put("model", model);
                }
                ids(b.putArray("prompt"), input);
                b.put("max_tokens", maxTokens);
                b.put("n", n);
                b.put("seed", seed);
                // every knob explicit: vLLM otherwise applies the checkpoint's generation_config.json defaults
                // (Llama 3.1: temperature 0.6, top_p 0.9), which would change the target distribution
                b.put("temperature", c.temperature());
                b.put("top_p", topP);
                b.put("top_k", c.topK().isPresent() ? c.topK().getAsInt() : -1);
                b.put("min_p", 0.0);
                b.put("repetition_penalty", 1.0);
                b.put("presence_penalty", 0.0);
                b.put("frequency_penalty", 0.0);
                ids(b.putArray("stop_token_ids"), eosIds);
                b.put("ignore_eos", false);
                b.put("return_token_ids", true);
                b.put("add_special_tokens", false);
                b.put("skip_special_tokens", true);
            }
            case SGLANG -> {
                if (model != null) {
                    b.put("model", model);
                }
                ids(b.putArray("input_ids"), input);
                ObjectNode sp = b.putObject("sampling_params");
                sp.put("max_new_tokens", maxTokens);
                sp.put("temperature", c.temperature());
                sp.put("top_p", topP);
                sp.put("top_k", c.topK().isPresent() ? c.topK().getAsInt() : -1);
                sp.put("min_p", 0.0);
                sp.put("repetition_penalty", 1.0);
                sp.put("presence_penalty", 0.0);
                sp.put("frequency_penalty", 0.0);
                ids(sp.putArray("stop_token_ids"), eosIds);
                sp.put("ignore_eos", false);
                sp.put("sampling_seed", seed);
                b.put("stream", false);
            }
            case LLAMA_CPP -> {
                ids(b.putArray("prompt"), input);
                b.put("n_predict", maxTokens);
                b.put("seed", llamaCppSeed(seed));
                b.put("temperature", c.temperature());
                b.put("top_k", c.topK().isPresent() ? c.topK().getAsInt() : 0);
                b.put("top_p", topP);
                b.put("min_p", 0.0);
                b.put("typical_p", 1.0);
                b.put("repeat_penalty", 1.0);
                b.put("repeat_last_n", 0);
                b.put("presence_penalty", 0.0);
                b.put("frequency_penalty", 0.0);
                b.put("dry_multiplier", 0.0);
                b.put("xtc_probability", 0.0);
                b.put("mirostat", 0);
                // temperature first, then top-k, then top-p on the renormalized rest: SamplingConfig's order
                ArrayNode samplers = b.putArray("samplers");
                samplers.add("temperature").add("top_k").add("top_p");
                b.put("cache_prompt", true);
                b.put("return_tokens", true);
                b.put("stream", false);
            }
            default -> throw new IllegalStateException(d.toString());
        }
        return b;
    }

    private static void ids(ArrayNode a, int[] ids) {
        for (int id : ids) {
            a.add(id);
        }
    }

    /**
     * Parses a response into exactly {@code n} choices, in choice-index order.
     */
    static List<Choice> parse(Dialect d, JsonNode root, int n, int vocab) {
        return switch (d) {
            case VLLM -> parseVllm(root, n, vocab);
            case SGLANG -> List.of(parseSglang(root, vocab));
            case LLAMA_CPP -> List.of(parseLlamaCpp(root, vocab));
        };
    }

    private static List<Choice> parseVllm(JsonNode root, int n, int vocab) {
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray()) {
            throw new InvalidResponseException("'choices' is missing or not an array");
        }
        if (choices.size() != n) {
            throw new InvalidResponseException("expected " + n + (n == 1 ? " choice" : " choices") + ", got "
                    + choices.size());
        }
        JsonNode usage = root.get("usage");
        long prompt = -1;
        long cached = -1;
        if (usage != null && !usage.isNull()) {
            prompt = count(usage, "prompt_tokens", "usage.prompt_tokens");
            JsonNode details = usage.get("prompt_tokens_details");
            if (details != null && !details.isNull()) {
                cached = count(details, "cached_tokens", "usage.prompt_tokens_details.cached_tokens");
            }
        }
        Choice[] out = new Choice[n];
        for (int i = 0; i < n; i++) {
            JsonNode c = choices.get(i);
            String where = "choices[" + i + "]";
            if (c == null || !c.isObject()) {
                throw new InvalidResponseException(where + " is not an object");
            }
            JsonNode idx = c.get("index");
            int index = idx == null ? i : intIn(idx, 0, n - 1, where + ".index");
            if (out[index] != null) {
                throw new InvalidResponseException(where + ".index " + index + " appears twice");
            }
            JsonNode tokenIds = c.get("token_ids");
            if (tokenIds == null || tokenIds.isNull()) {
                throw new InvalidResponseException(where + ".token_ids is missing: the server must honour "
                        + "'return_token_ids' (a vLLM recent enough to have it)");
            }
            int[] ids = idArray(tokenIds, vocab, where + ".token_ids");
            String finish = text(c, "finish_reason", where);
            Stop stop = switch (finish) {
                case "stop" -> Stop.EOS;
                case "length" -> Stop.LENGTH;
                default -> throw new InvalidResponseException(where + ".finish_reason '" + finish
                        + "' (expected 'stop' or 'length')");
            };
            int matched = -1;
            JsonNode sr = c.get("stop_reason");
            if (sr != null && !sr.isNull()) {
                if (sr.isTextual()) {
                    throw new InvalidResponseException(where + ".stop_reason is the stop string '" + sr.asText()
                            + "', but no stop strings were sent");
                }
                matched = intIn(sr, 0, vocab > 0 ? vocab - 1 : MAX_ID_UNKNOWN_VOCAB, where + ".stop_reason");
            }
            out[index] = new Choice(ids, stop, matched, prompt, cached, -1);
        }
        return List.of(out);
    }

    /** The one result object of a single-prompt response: the object itself, or the only element of an array. */
    private static JsonNode singleResult(JsonNode root) {
        if (root.isArray()) {
            if (root.size() != 1) {
                throw new InvalidResponseException("expected one result, got an array of " + root.size());
            }
            root = root.get(0);
        }
        if (!root.isObject()) {
            throw new InvalidResponseException("response is not a JSON object");
        }
        return root;
    }

    private static Choice parseSglang(JsonNode root, int vocab) {
        root = singleResult(root);
        JsonNode out = root.get("output_ids");
        if (out == null || out.isNull()) {
            throw new InvalidResponseException("'output_ids' is missing");
        }
        int[] ids = idArray(out, vocab, "output_ids");
        JsonNode meta = root.get("meta_info");
        if (meta == null || !meta.isObject()) {
            throw new InvalidResponseException("'meta_info' is missing or not an object");
        }
        JsonNode fr = meta.get("finish_reason");
        if (fr == null || !fr.isObject()) {
            throw new InvalidResponseException("'meta_info.finish_reason' is missing or not an object");
        }
        String type = text(fr, "type", "meta_info.finish_reason");
        int matched = -1;
        Stop stop = switch (type) {
            case "stop" -> Stop.EOS;
            case "length" -> Stop.LENGTH;
            default -> throw new InvalidResponseException("meta_info.finish_reason.type '" + type
                    + "' (expected 'stop' or 'length')");
        };
        JsonNode m = fr.get("matched");
        if (stop == Stop.EOS && m != null && !m.isNull()) {
            if (!m.isIntegralNumber()) {
                throw new InvalidResponseException("meta_info.finish_reason.matched is the stop string '" + m.asText()
                        + "', but no stop strings were sent");
            }
            matched = intIn(m, 0, vocab > 0 ? vocab - 1 : MAX_ID_UNKNOWN_VOCAB, "meta_info.finish_reason.matched");
        }
        long prompt = meta.has("prompt_tokens") ? count(meta, "prompt_tokens", "meta_info.prompt_tokens") : -1;
        long cached = meta.has("cached_tokens") ? count(meta, "cached_tokens", "meta_info.cached_tokens") : -1;
        return new Choice(ids, stop, matched, prompt, cached, -1);
    }

    private static Choice parseLlamaCpp(JsonNode root, int vocab) {
        root = singleResult(root);
        JsonNode tokens = root.get("tokens");
        if (tokens == null || tokens.isNull()) {
            throw new InvalidResponseException("'tokens' is missing: the server must honour 'return_tokens'");
        }
        int[] ids = idArray(tokens, vocab, "tokens");
        String type = text(root, "stop_type", "response");
        Stop stop = switch (type) {
            case "eos" -> Stop.EOS;
            case "limit" -> Stop.LENGTH;
            default -> throw new InvalidResponseException("stop_type '" + type + "' (expected 'eos' or 'limit')");
        };
        long cached = root.has("tokens_cached") ? count(root, "tokens_cached", "tokens_cached") : -1;
        long evaluated = root.has("tokens_evaluated") ? count(root, "tokens_evaluated", "tokens_evaluated") : -1;
        long computed = -1;
        JsonNode timings = root.get("timings");
        if (timings != null && timings.isObject() && timings.has("prompt_n")) {
            computed = count(timings, "prompt_n", "timings.prompt_n");
        }
        return new Choice(ids, stop, -1, evaluated, cached, computed);
    }

    static int[] idArray(JsonNode a, int vocab, String where) {
        if (!a.isArray()) {
            throw new InvalidResponseException("'" + where + "' is not an array");
        }
        int max = vocab > 0 ? vocab - 1 : MAX_ID_UNKNOWN_VOCAB;
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = intIn(a.get(i), 0, max, where + "[" + i + "]");
        }
        return ids;
    }

    static int intIn(JsonNode n, int min, int max, String where) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidResponseException("'" + where + "' must be an integer, got " + n);
        }
        int v = n.intValue();
        if (v < min || v > max) {
            throw new InvalidResponseException("'" + where + "' = " + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    static long count(JsonNode obj, String field, String where) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            throw new InvalidResponseException("'" + where + "' is missing");
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new InvalidResponseException("'" + where + "' must be a non-negative integer, got " + n);
        }
        return n.longValue();
    }

    static String text(JsonNode obj, String field, String where) {
        JsonNode n = obj.get(field);
        if (n == null || !n.isTextual()) {
            throw new InvalidResponseException("'" + where + "." + field + "' is missing or not a string");
        }
        return n.asText();
    }

    static List<Integer> boxed(int[] a) {
        List<Integer> l = new ArrayList<>(a.length);
        for (int v : a) {
            l.add(v);
        }
        return l;
    }
}
