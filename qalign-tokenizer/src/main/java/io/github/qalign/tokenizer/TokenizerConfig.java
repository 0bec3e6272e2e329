package io.github.qalign.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What this library reads from a Hugging Face {@code tokenizer_config.json}: the BOS and EOS token strings and the
 * Jinja chat template.
 *
 * @param file               the file it was read from
 * @param bosToken           the {@code bos_token} string, or null when the config has none
 * @param eosToken           the {@code eos_token} string, or null when the config has none
 * @param chatTemplateSource the {@code chat_template} source (for a list of named templates the one named
 *                           {@code default}, else the first), or null when the config has none
 */
public record TokenizerConfig(Path file, String bosToken, String eosToken, String chatTemplateSource) {

    /** File name of the tokenizer config in a checkpoint directory. */
    public static final String FILE_NAME = "tokenizer_config.json";

    /**
     * Validates the fields.
     *
     * @param file               see the record description
     * @param bosToken           see the record description
     * @param eosToken           see the record description
     * @param chatTemplateSource see the record description
     * @throws NullPointerException if file is null
     */
    public TokenizerConfig {
        Objects.requireNonNull(file, "file");
    }

    /**
     * Reads a {@code tokenizer_config.json} (at most 16 MiB). A special token may be a string or an
     * {@code AddedToken} object with a {@code content} field.
     *
     * @param file the file
     * @return the config, or empty when the file does not exist
     * @throws TokenizerException if the file is too large, unreadable, not a JSON object, or a field has the wrong type
     */
    public static Optional<TokenizerConfig> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode cfg = TokenizerFiles.readObject(file, TokenizerFiles.MAX_TOKENIZER_CONFIG_BYTES);
        JsonNode t = cfg.get("chat_template");
        String source = null;
        if (t != null && t.isTextual()) {
            source = t.asText();
        } else if (t != null && t.isArray()) {
            for (JsonNode named : t) {
                JsonNode text = named.get("template");
                if (text == null || !text.isTextual()) {
                    throw new TokenizerException(file, "'chat_template' list entry without a string 'template'");
                }
                if (source == null || "default".equals(named.path("name").asText())) {
                    source = text.asText();
                }
            }
        } else if (t != null && !t.isNull()) {
            throw new TokenizerException(file, "'chat_template' must be a string or a list of {name, template}, got "
                    + t.getNodeType());
        }
        return Optional.of(new TokenizerConfig(file, tokenString(file, cfg, "bos_token"),
                tokenString(file, cfg, "eos_token"), source));
    }

    /** A special token in tokenizer_config.json is a string or an AddedToken object with a "content" field. */
    private static String tokenString(Path file, JsonNode cfg, String field) {
        JsonNode n = cfg.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.hasNonNull("content") && n.get("content").isTextual()) {
            return n.get("content").asText();
        }
        throw new TokenizerException(file, "'" + field + "' must be a string or an object with a string 'content'");
    }

    /**
     * The chat template, ready to render, with this config's BOS and EOS strings, the default limits and no clock
     * ({@code strftime_now} undefined).
     *
     * @return the template (named after this file in error messages), or empty when the config has none
     * @throws ChatTemplateException if the template is malformed or over a limit
     */
    public Optional<ChatTemplate> chatTemplate() {
        return chatTemplate(TemplateLimits.defaults(), null);
    }

    /**
     * The chat template with chosen limits and clock.
     *
     * @param limits the resource limits of every render
     * @param clock  the clock of {@code strftime_now}, or null to leave it undefined (reproducible prompts)
     * @return the template (named after this file in error messages), or empty when the config has none
     * @throws ChatTemplateException if the template is malformed or over a limit
     */
    public Optional<ChatTemplate> chatTemplate(TemplateLimits limits, Clock clock) {
        if (chatTemplateSource == null) {
            return Optional.empty();
        }
        ChatTemplate.Builder b = ChatTemplate.builder(chatTemplateSource).name(file.toString())
                .bosToken(bosToken).eosToken(eosToken).limits(limits);
        if (clock != null) {
            b.clock(clock);
        }
        return Optional.of(b.build());
    }
}
