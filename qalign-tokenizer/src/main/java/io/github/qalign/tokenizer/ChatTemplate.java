package io.github.qalign.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json}) rendered with
 * Jinjava, configured like {@code transformers}' {@code apply_chat_template}: {@code trim_blocks} and
 * {@code lstrip_blocks} on, Jinja (Python) semantics for {@code {{- -}}} whitespace control, operator precedence
 * ({@code a + b | trim} filters {@code b} only) and map iteration, variables {@code messages} (maps with {@code role} and {@code content}),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, and the function {@code raise_exception(msg)},
 * which makes {@link #render} throw an {@link IllegalArgumentException} carrying the message.
 *
 * <p>No {@code strftime_now} is provided, so templates that use it when defined (Llama 3.2) fall back to their
 * fixed default date and rendering stays deterministic. Immutable and thread-safe.
 */
public final class ChatTemplate {

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;
    private final String compiled;

    private static final Pattern TAG = Pattern.compile("\\{[{%].*?[}%]\\}", Pattern.DOTALL);
    private static final Pattern NOT_IS = Pattern.compile(
            "\\bnot\\s+([A-Za-z_][\\w.]*(?:\\[[^\\]]*\\])*)\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)\\b(?!\\s*\\()");

    /**
     * Creates a template.
     *
     * @param template the Jinja source
     * @param bosToken value of {@code bos_token} (may be null: rendered as empty)
     * @param eosToken value of {@code eos_token} (may be null: rendered as empty)
     */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        this.compiled = jinjaPrecedence(template);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /**
     * Reads the chat template of a {@code tokenizer_config.json}. A list-valued {@code chat_template} (named
     * templates) yields the one named {@code default}, else the first.
     *
     * @param tokenizerConfig path of {@code tokenizer_config.json}
     * @return the template, or empty if the file does not exist or has no chat template
     * @throws TokenizerException if the file is too large or not a valid tokenizer config
     */
    public static Optional<ChatTemplate> fromTokenizerConfig(Path tokenizerConfig) {
        return TokenizerConfig.read(tokenizerConfig).flatMap(TokenizerConfig::chatTemplate);
    }

    /**
     * Renders a conversation.
     *
     * @param messages            the turns
     * @param addGenerationPrompt whether to append the header that starts the assistant's reply
     * @return the prompt text (tokenize it without adding special tokens: templates emit BOS themselves)
     * @throws IllegalArgumentException if the template calls {@code raise_exception} or fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with extra template variables (e.g. {@code date_string}).
     *
     * @param messages            the turns
     * @param addGenerationPrompt whether to append the header that starts the assistant's reply
     * @param extraVariables      further variables visible to the template
     * @return the prompt text
     * @throws IllegalArgumentException if the template calls {@code raise_exception} or fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> vars = new HashMap<>(extraVariables);
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(compiled, vars);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String msg = error.getMessage();
                Throwable cause = error.getException();
                for (Throwable c = cause; c != null; c = c.getCause()) {
                    if (c instanceof TemplateRaisedException r) {
                        msg = r.getMessage();
                        break;
                    }
                }
                throw new IllegalArgumentException("chat template error: " + msg, cause);
            }
        }
        return result.getOutput();
    }

    /**
     * Rewrites {@code not x is test} to {@code not (x is test)} inside tags: in Jinja tests bind tighter than
     * {@code not}, in Jinjava they do not (so {@code not date_string is defined} would be true for a defined
     * variable). Only argument-less tests on simple variables/subscripts are rewritten.
     *
     * @param source the Jinja template
     * @return the template with explicit parentheses
     */
    static String jinjaPrecedence(String source) {
        Matcher tags = TAG.matcher(source);
        StringBuilder out = new StringBuilder();
        while (tags.find()) {
            String tag = tags.group();
            String fixed = NOT_IS.matcher(tag).replaceAll(m -> Matcher.quoteReplacement(
                    "not (" + m.group(1) + " is " + (m.group(2) == null ? "" : m.group(2)) + m.group(3) + ")"));
            tags.appendReplacement(out, Matcher.quoteReplacement(fixed));
        }
        tags.appendTail(out);
        return out.toString();
    }

    /**
     * The Jinja source.
     *
     * @return the template text
     */
    public String source() {
        return template;
    }

    /**
     * Implementation of the template function {@code raise_exception}.
     *
     * @param message the template's message
     * @return never returns
     */
    public static Object raiseException(String message) {
        throw new TemplateRaisedException(message);
    }

    /** Thrown by {@code raise_exception} inside a template. */
    static final class TemplateRaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRaisedException(String message) {
            super(message);
        }
    }
}
