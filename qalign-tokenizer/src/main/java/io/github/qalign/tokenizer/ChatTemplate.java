package io.github.qalign.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import io.github.qalign.model.ChatMessage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json}) rendered with
 * Jinjava the way {@code transformers.apply_chat_template} renders it with Jinja2, and treated as untrusted input.
 *
 * <h2>Rendering</h2>
 * Like {@code transformers}: {@code trim_blocks} and {@code lstrip_blocks}, Jinja (Python) semantics for
 * {@code {{- -}}}, operator precedence, {@code not x is test} and map iteration; variables {@code messages} (maps with
 * {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token} and {@code eos_token} (when
 * set); the functions {@code raise_exception(msg)} and, when a {@link Clock} is given,
 * {@code strftime_now(format)}; Python's string methods ({@code strip}, {@code split}, {@code startswith}, ...) and
 * Python's whitespace for {@code trim}. Without a clock {@code strftime_now} is undefined, so templates that use it
 * when defined (Llama 3.2) fall back to their fixed default date and the render is reproducible.
 * {@code ChatTemplateGoldenTest} checks byte-identical output against Jinja2 for nine published templates; the
 * differences that remain are listed in {@code docs/chat-templates.md}.
 *
 * <h2>Templates are data</h2>
 * <ul>
 *   <li>every value passed in (message contents above all) is output verbatim: Jinjava's nested interpretation is off,
 *       so {@code {{ 7*7 }}} in a prompt stays {@code {{ 7*7 }}};</li>
 *   <li>no resource locator: {@code include}, {@code import}, {@code from} and {@code extends} fail, nothing on the
 *       class path or disk is read; the {@code render}, {@code fromjson}, {@code fromyaml} and {@code toyaml} filters
 *       are disabled; expressions can reach only strings, lists, maps and {@code loop} (never a Java object's
 *       methods, which is how CVE-2025-59340 read and deleted files);</li>
 *   <li>{@link TemplateLimits} bound the template size and nesting (checked once, in linear time, when the template
 *       is created), the output, string and list sizes, {@code range} length, the number of rendered nodes and the
 *       wall-clock time of each render. A render runs on a bounded worker thread that checks its budget at every
 *       template node, so a runaway loop is stopped and the caller gets its answer within the budget;</li>
 *   <li>every failure — a syntax error, {@code raise_exception}, a limit, the time budget, or a
 *       {@link StackOverflowError} / {@link OutOfMemoryError} inside the engine — is one
 *       {@link ChatTemplateException} naming the template (its file when it came from one).</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class ChatTemplate {

    private static final AtomicInteger THREADS = new AtomicInteger();
    /**
     * Renders run here: daemon threads with a 4 MiB stack, created on demand and retired after 60 s idle. A render
     * that overruns its budget stops itself at its next template node; the caller never waits past the budget.
     */
    private static final ExecutorService RENDERER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(null, r, "qalign-chat-template-" + THREADS.incrementAndGet(), 4L << 20);
        t.setDaemon(true);
        return t;
    });
    private static final ThreadLocal<RenderBudget> BUDGET = new ThreadLocal<>();
    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();
    /** Extra time the caller waits for the worker to report its own timeout before giving up on it. */
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String source;
    private final String name;
    private final String bosToken;
    private final String eosToken;
    private final TemplateLimits limits;
    private final Clock clock;
    private final String compiled;
    private final Jinjava jinjava;

    /**
     * Creates a template with the default limits and no clock.
     *
     * @param template the Jinja source
     * @param bosToken value of {@code bos_token} (may be null: the variable is then undefined, as in
     *                 {@code transformers} when the tokenizer has no BOS)
     * @param eosToken value of {@code eos_token} (may be null: undefined)
     * @throws ChatTemplateException if the template is malformed or over a limit
     */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this(builder(template).bosToken(bosToken).eosToken(eosToken));
    }

    private ChatTemplate(Builder b) {
        this.source = Objects.requireNonNull(b.source, "template");
        this.name = b.name;
        this.bosToken = b.bosToken;
        this.eosToken = b.eosToken;
        this.limits = b.limits;
        this.clock = b.clock;
        this.compiled = TemplatePrepass.prepare(source, name, limits);
        this.jinjava = newJinjava(limits, clock != null);
    }

    /**
     * A builder for a template.
     *
     * @param template the Jinja source
     * @return the builder
     */
    public static Builder builder(String template) {
        return new Builder(template);
    }

    /** Builds a {@link ChatTemplate}. */
    public static final class Builder {
        private final String source;
        private String name = "<chat template>";
        private String bosToken;
        private String eosToken;
        private TemplateLimits limits = TemplateLimits.defaults();
        private Clock clock;

        private Builder(String source) {
            this.source = Objects.requireNonNull(source, "template");
        }

        /**
         * The name used in error messages: the file the template came from, or a description.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The {@code bos_token} string.
         *
         * @param token the token, or null to leave {@code bos_token} undefined
         * @return this builder
         */
        public Builder bosToken(String token) {
            this.bosToken = token;
            return this;
        }

        /**
         * The {@code eos_token} string.
         *
         * @param token the token, or null to leave {@code eos_token} undefined
         * @return this builder
         */
        public Builder eosToken(String token) {
            this.eosToken = token;
            return this;
        }

        /**
         * The resource limits.
         *
         * @param limits the limits
         * @return this builder
         */
        public Builder limits(TemplateLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Defines {@code strftime_now(format)} (as {@code transformers} does) on this clock. Without a clock the
         * function is undefined and templates use their fixed default dates.
         *
         * @param clock the clock (e.g. {@code Clock.systemDefaultZone()} for {@code transformers}' behaviour, or a
         *              fixed clock for reproducible prompts)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Checks the template (size, nesting, tag syntax; linear time) and builds it.
         *
         * @return the template
         * @throws ChatTemplateException if the template is malformed or over a limit
         */
        public ChatTemplate build() {
            return new ChatTemplate(this);
        }
    }

    private static Jinjava newJinjava(TemplateLimits limits, boolean withClock) {
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
                .withNestedInterpretationEnabled(false)
                .withMaxOutputSize(limits.maxOutputChars())
                .withMaxStringLength(limits.maxStringLength())
                .withMaxListSize(limits.maxListSize())
                .withMaxMapSize(limits.maxListSize())
                .withRangeLimit(limits.maxLoopIterations())
                .withMaxRenderDepth(limits.maxNestingDepth())
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(limits.maxNestingDepth())
                .withElResolver(TemplateSandbox.resolver(limits.maxStringLength()))
                .withDisabled(Map.of(
                        Context.Library.TAG, Set.of("include", "import", "from", "extends"),
                        Context.Library.FILTER, Set.of("render", "fromjson", "fromyaml", "toyaml", "random",
                                "shuffle", "unixtimestamp", "datetimeformat", "format_date", "format_time",
                                "format_datetime", "strtotime", "strtodate"),
                        Context.Library.FUNCTION, Set.of("datetimeformat", "format_date", "format_time",
                                "format_datetime", "unixtimestamp", "today", "strtotime", "strtodate")))
                .withNodePreProcessor((node, interpreter) -> {
                    RenderBudget budget = BUDGET.get();
                    if (budget != null) {
                        budget.tick();
                        // Jinjava records a failing expression and renders on (100,000 loop iterations => 100,000
                        // errors); Jinja2 stops at the first, and so do we
                        interpreter.getLastError().filter(ChatTemplate::stops).ifPresent(error -> {
                            throw new RenderBudget.Failed(error);
                        });
                    }
                })
                .build();
        Jinjava j = new Jinjava(config);
        j.setResourceLocator((path, encoding, interpreter) -> {
            throw new ResourceNotFoundException("chat templates may not load other templates ('" + path + "')");
        });
        j.registerFilter(new PyishFilters.Trim());
        j.registerFilter(new PyishFilters.Center(limits.maxStringLength()));
        j.registerFilter(new PyishFilters.Indent(limits.maxStringLength()));
        j.registerFilter(new PyishFilters.Format(limits.maxStringLength()));
        j.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException",
                String.class));
        j.registerFunction(new ELFunctionDefinition("", "range", ChatTemplate.class, "range", Object.class,
                Object[].class));
        if (withClock) {
            j.registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class, "strftimeNow",
                    String.class));
        }
        return j;
    }

    /**
     * Reads the chat template of a {@code tokenizer_config.json} (its BOS/EOS strings included). A list-valued
     * {@code chat_template} (named templates) yields the one named {@code default}, else the first.
     *
     * @param tokenizerConfig path of {@code tokenizer_config.json}
     * @return the template, or empty if the file does not exist or has no chat template
     * @throws TokenizerException    if the file is too large or not a valid tokenizer config
     * @throws ChatTemplateException if the template is malformed or over a limit
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
     * @throws ChatTemplateException if the template calls {@code raise_exception}, fails, or exceeds a limit
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with extra template variables (e.g. {@code date_string}).
     *
     * @param messages            the turns
     * @param addGenerationPrompt whether to append the header that starts the assistant's reply
     * @param extraVariables      further variables visible to the template (strings, numbers, booleans, lists and
     *                            maps of those); they are data, never interpreted
     * @return the prompt text
     * @throws ChatTemplateException if the template calls {@code raise_exception}, fails, or exceeds a limit
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(extraVariables, "extraVariables");
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> vars = new HashMap<>(extraVariables);
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            vars.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            vars.put("eos_token", eosToken);
        }
        if (clock != null) {
            // makes `strftime_now is defined` true, as in transformers; the call itself goes to the function
            vars.put("strftime_now", "strftime_now");
        }
        return renderBounded(vars);
    }

    private String renderBounded(Map<String, Object> vars) {
        long timeout = limits.timeout().toNanos();
        RenderBudget budget = new RenderBudget(System.nanoTime() + timeout, limits.maxRenderedNodes(),
                limits.maxLoopIterations());
        Future<String> future;
        try {
            future = RENDERER.submit(() -> {
                BUDGET.set(budget);
                CLOCK.set(clock);
                try {
                    return renderHere(vars);
                } finally {
                    BUDGET.remove();
                    CLOCK.remove();
                }
            });
        } catch (RuntimeException e) {
            throw new ChatTemplateException(name, ChatTemplateException.Kind.ENGINE,
                    "could not start a render: " + e, e);
        }
        try {
            return future.get(timeout + GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            budget.abort();
            future.cancel(true);
            throw timedOut(e);
        } catch (InterruptedException e) {
            budget.abort();
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ChatTemplateException(name, ChatTemplateException.Kind.ENGINE, "interrupted while rendering", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    private ChatTemplateException timedOut(Throwable cause) {
        return new ChatTemplateException(name, ChatTemplateException.Kind.TIMEOUT, "rendering took longer than the "
                + limits.timeout().toMillis() + " ms allowed and was stopped", cause);
    }

    /** Runs on a worker thread. */
    private String renderHere(Map<String, Object> vars) {
        RenderResult result = jinjava.renderForResult(compiled, vars);
        for (TemplateError error : result.getErrors()) {
            // Jinjava reports some exceptions (e.g. the macro recursion limit) as warnings and renders on; Jinja2
            // raises them, and so do we
            if (stops(error)) {
                throw translateFatal(error);
            }
        }
        return result.getOutput();
    }

    /** Whether an error Jinjava recorded ends the render (fatal errors, and exceptions Jinjava only warns about). */
    private static boolean stops(TemplateError error) {
        return error.getSeverity() == TemplateError.ErrorType.FATAL
                || error.getReason() == TemplateError.ErrorReason.EXCEPTION;
    }

    private ChatTemplateException translateFatal(TemplateError error) {
        for (Throwable c = error.getException(); c != null; c = c.getCause()) {
            if (c instanceof TemplateRaisedException r) {
                return new ChatTemplateException(name, ChatTemplateException.Kind.RAISED, r.getMessage(), r);
            }
            if (c instanceof RenderBudget.Exceeded x) {
                return translate(x);
            }
            if (c instanceof StackOverflowError || c instanceof OutOfMemoryError) {
                return translate(c);
            }
        }
        String message = error.getMessage();
        String reason = String.valueOf(error.getReason());
        String m = message == null ? "" : message;
        ChatTemplateException.Kind kind = reason.contains("TOO_BIG") || reason.contains("LIMIT")
                || m.contains("TooBig") || m.contains("limit") || m.contains("too large") || m.contains("exceeded")
                || m.contains("greater than the maximum") ? ChatTemplateException.Kind.LIMIT
                : reason.contains("SYNTAX") || reason.contains("DISABLED") || reason.contains("MISSING")
                || reason.contains("UNKNOWN") ? ChatTemplateException.Kind.INVALID
                : ChatTemplateException.Kind.ENGINE;
        String where = error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "";
        return new ChatTemplateException(name, kind, reason.toLowerCase(Locale.ROOT).replace('_', ' ') + ": "
                + message + where, error.getException());
    }

    private ChatTemplateException translate(Throwable t) {
        if (t instanceof ChatTemplateException c) {
            return c;
        }
        if (t instanceof RenderBudget.Failed f) {
            return translateFatal(f.error());
        }
        if (t instanceof RenderBudget.Exceeded x) {
            return x.timeout() ? timedOut(x)
                    : new ChatTemplateException(name, ChatTemplateException.Kind.LIMIT, x.getMessage(), x);
        }
        if (t instanceof StackOverflowError) {
            return new ChatTemplateException(name, ChatTemplateException.Kind.ENGINE,
                    "the template engine overflowed its stack (recursion too deep)", t);
        }
        if (t instanceof OutOfMemoryError) {
            return new ChatTemplateException(name, ChatTemplateException.Kind.ENGINE,
                    "the template engine ran out of memory", t);
        }
        return new ChatTemplateException(name, ChatTemplateException.Kind.ENGINE, "rendering failed: " + t, t);
    }

    /**
     * Rewrites {@code not x is test} to {@code not (x is test)} inside tags, as the constructor does (Jinja binds
     * tests tighter than {@code not}; Jinjava does not).
     *
     * @param source the Jinja template
     * @return the template with explicit parentheses
     * @throws ChatTemplateException if the template is malformed or over the default limits
     */
    static String jinjaPrecedence(String source) {
        return TemplatePrepass.jinjaPrecedence(source);
    }

    /**
     * The Jinja source.
     *
     * @return the template text
     */
    public String source() {
        return source;
    }

    /**
     * The name used in error messages (the file the template came from, or a description).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The limits this template is rendered under.
     *
     * @return the limits
     */
    public TemplateLimits limits() {
        return limits;
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

    /**
     * Implementation of the template function {@code strftime_now}: the render's clock formatted with a Python
     * {@code strftime} pattern (English month and day names, as Python's C locale).
     *
     * @param format the pattern, e.g. {@code "%d %b %Y"}
     * @return the formatted time
     */
    public static String strftimeNow(String format) {
        Clock clock = CLOCK.get();
        if (clock == null) {
            throw new TemplateRaisedException("strftime_now is not available (no clock was given)");
        }
        return StrftimeFormatter.format(ZonedDateTime.now(clock), format, Locale.US);
    }

    /**
     * Implementation of the template function {@code range}: Jinjava's, except that a range longer than
     * {@link TemplateLimits#maxLoopIterations()} fails (as Jinja2's sandbox fails past its {@code MAX_RANGE})
     * instead of being silently cut short.
     *
     * @param start the stop, or the start when more arguments follow
     * @param rest  the stop and the step
     * @return the integers
     */
    public static List<Integer> range(Object start, Object... rest) {
        RenderBudget budget = BUDGET.get();
        if (budget != null) {
            long a = 0;
            long b;
            long step = 1;
            try {
                if (rest == null || rest.length == 0) {
                    b = number(start);
                } else {
                    a = number(start);
                    b = number(rest[0]);
                    if (rest.length > 1) {
                        step = number(rest[1]);
                    }
                }
            } catch (NumberFormatException e) {
                return com.hubspot.jinjava.lib.fn.Functions.range(start, rest);
            }
            if (step != 0) {
                long count = step > 0 ? (b - a + step - 1) / step : (a - b - step - 1) / -step;
                if (count > budget.maxRange) {
                    throw new RenderBudget.Exceeded(false, "range of " + count + " numbers, more than the "
                            + budget.maxRange + " allowed");
                }
            }
        }
        return com.hubspot.jinjava.lib.fn.Functions.range(start, rest);
    }

    private static long number(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        return (long) Double.parseDouble(String.valueOf(o).trim());
    }

    /** Thrown by {@code raise_exception} inside a template. */
    static final class TemplateRaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRaisedException(String message) {
            super(message);
        }
    }

    /** The time and work budget of one render, checked at every template node. */
    static final class RenderBudget {
        private final long deadlineNanos;
        private final long maxNodes;
        private final long maxRange;
        private long nodes;
        private volatile boolean aborted;

        RenderBudget(long deadlineNanos, long maxNodes, long maxRange) {
            this.deadlineNanos = deadlineNanos;
            this.maxNodes = maxNodes;
            this.maxRange = maxRange;
        }

        void abort() {
            aborted = true;
        }

        void tick() {
            if (++nodes > maxNodes) {
                throw new Exceeded(false, "rendered more than the " + maxNodes + " template nodes allowed"
                        + " (loops nested too deeply or too long)");
            }
            if (aborted || System.nanoTime() - deadlineNanos > 0) {
                throw new Exceeded(true, "time budget exceeded");
            }
        }

        /** Unwinds a render at the first error Jinjava recorded (an {@link Error}, for the reason below). */
        static final class Failed extends Error {
            private static final long serialVersionUID = 1L;
            private final transient TemplateError error;

            Failed(TemplateError error) {
                super(error.getMessage(), null, false, false);
                this.error = error;
            }

            TemplateError error() {
                return error;
            }
        }

        /**
         * Unwinds a render. An {@link Error}, so that the template engine's {@code catch (Exception)} blocks cannot
         * swallow it and carry on rendering.
         */
        static final class Exceeded extends Error {
            private static final long serialVersionUID = 1L;
            private final boolean timeout;

            Exceeded(boolean timeout, String message) {
                super(message, null, false, false);
                this.timeout = timeout;
            }

            boolean timeout() {
                return timeout;
            }
        }
    }
}
