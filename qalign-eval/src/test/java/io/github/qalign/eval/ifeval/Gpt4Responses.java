package io.github.qalign.eval.ifeval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** GPT-4's 541 published IFEval responses (test resource), by prompt. */
public final class Gpt4Responses {

    private Gpt4Responses() {
    }

    /**
     * Reads the responses.
     *
     * @return prompt to response, in file order
     * @throws IOException if the resource cannot be read
     */
    public static Map<String, String> load() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (InputStream raw = Gpt4Responses.class.getResourceAsStream("gpt4-responses-20231107.jsonl.gz");
             BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                     StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode n = json.readTree(line);
                out.put(n.get("prompt").asText(), n.get("response").asText());
            }
        }
        return out;
    }
}
