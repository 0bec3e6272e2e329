package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Hostile templates (and hostile message contents): each attempt ends in one {@link ChatTemplateException} naming the
 * template, within a bounded time and without exhausting the heap (the test JVM has 1 GiB), and nothing on disk
 * changes: a canary file keeps its content, a second file is not deleted, no file appears.
 */
class ChatTemplateHostileTest {

    private static final String NAME = "hostile/tokenizer_config.json";

    @TempDir
    Path dir;
    private Path canary;
    private Path victim;
    private static final String CANARY_TEXT = "canary-secret-7f3a91";

    @BeforeEach
    void plantCanary() throws IOException {
        canary = dir.resolve("canary.txt");
        victim = dir.resolve("delete-me.txt");
        Files.writeString(canary, CANARY_TEXT, StandardCharsets.UTF_8);
        Files.writeString(victim, "still here", StandardCharsets.UTF_8);
    }

    @AfterEach
    void diskUnchanged() throws IOException {
        assertThat(Files.readString(canary, StandardCharsets.UTF_8)).isEqualTo(CANARY_TEXT);
        assertThat(victim).exists();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("canary.txt",
                    "delete-me.txt");
        }
    }

    private static ChatTemplate template(String source, TemplateLimits limits) {
        return ChatTemplate.builder(source).name(NAME).bosToken("<s>").eosToken("</s>").limits(limits).build();
    }

    /** Builds and renders; returns the exception (which must name the template and not echo the canary). */
    private static ChatTemplateException fails(String source, TemplateLimits limits) {
        ChatTemplateException e = catchThrowableOfType(() -> template(source, limits)
                .render(List.of(ChatMessage.user("hi")), true), ChatTemplateException.class);
        assertThat(e).as("expected a ChatTemplateException for %s", abbreviate(source)).isNotNull();
        assertThat(e.getMessage()).startsWith("chat template " + NAME + ": ").doesNotContain(CANARY_TEXT);
        assertThat(e.template()).isEqualTo(NAME);
        return e;
    }

    private static ChatTemplateException fails(String source) {
        return fails(source, TemplateLimits.defaults());
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private String path(Path p) {
        return p.toAbsolutePath().toString().replace("\\", "/");
    }

    @Test
    void cve202559340ChainThroughTheInterpreterIsRejectedBeforeRendering() {
        String c = path(canary);
        String v = path(victim);
        List<String> attempts = List.of(
                "{{ ____int3rpr3t3r____.config.objectMapper.readValue('\"file://" + c + "\"', 'java.net.URL') }}",
                "{% set m = ____int3rpr3t3r____.config.objectMapper %}{{ m.enableDefaultTyping() }}"
                        + "{{ m.readValue('[\"java.io.File\", \"" + v + "\"]', 'java.lang.Object').delete() }}",
                "{{ ____int3rpr3t3r____.getConfig().getObjectMapper() }}",
                "{{ '____int3rpr3t3r____' }}");
        for (String attempt : attempts) {
            ChatTemplateException e = catchThrowableOfType(() -> template(attempt, TemplateLimits.defaults()),
                    ChatTemplateException.class);
            assertThat(e).as(attempt).isNotNull();
            assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.INVALID);
            assertThat(e.getMessage()).startsWith("chat template " + NAME).contains("reserved identifier");
        }
    }

    @Test
    void javaObjectsAreUnreachableFromExpressions() {
        String c = path(canary);
        String v = path(victim);
        List<String> attempts = List.of(
                "{{ messages.getClass().forName('java.io.File') }}",
                "{{ ''.getClass().forName('java.nio.file.Files').getMethods() }}",
                "{{ 'x'.getBytes() }}",
                "{{ loop.getClass() }}{% for m in messages %}{{ loop.getClass().getClassLoader() }}{% endfor %}",
                "{{ (messages|first).getClass().getName() }}",
                "{{ messages.iterator().getClass() }}",
                "{{ messages.add('x') }}",
                "{{ messages[0].put('role', 'system') }}",
                "{{ messages[0].clear() }}",
                "{% set n = '____int3' ~ 'rpr3t3r____' %}{{ (messages|attr(n)).config.objectMapper"
                        + ".readValue('\"file://" + c + "\"', 'java.net.URL').openStream() }}",
                "{{ 'file://" + c + "'|fromjson }}",
                "{{ '" + v + "'|render }}");
        for (String attempt : attempts) {
            ChatTemplateException e = fails(attempt);
            assertThat(e.kind()).as(attempt).isIn(ChatTemplateException.Kind.INVALID,
                    ChatTemplateException.Kind.ENGINE);
        }
        // properties of Java objects read as undefined, as in Jinja2's sandbox: nothing leaks, nothing runs
        assertThat(template("[{{ 'abc'.bytes }}|{{ 'abc'.class }}|{{ messages.class }}]", TemplateLimits.defaults())
                .render(List.of(ChatMessage.user("x")), false)).isEqualTo("[||]");
    }

    @Test
    void includeImportFromAndExtendsReadNothing() throws IOException {
        Path partial = dir.resolve("partial.jinja");
        Files.writeString(partial, CANARY_TEXT);
        try {
            for (String target : List.of(path(partial), "chat_templates/tulu-3.jinja", "/chat_templates/tulu-3.jinja",
                    "file://" + path(canary), "../../../../etc/hostname")) {
                assertThat(fails("{% include '" + target + "' %}").kind()).isEqualTo(ChatTemplateException.Kind.INVALID);
                assertThat(fails("{% import '" + target + "' as m %}{{ m.x() }}").kind())
                        .isEqualTo(ChatTemplateException.Kind.INVALID);
                assertThat(fails("{% from '" + target + "' import x %}{{ x() }}").kind())
                        .isEqualTo(ChatTemplateException.Kind.INVALID);
                assertThat(fails("{% extends '" + target + "' %}").kind()).isEqualTo(ChatTemplateException.Kind.INVALID);
            }
        } finally {
            Files.delete(partial);
        }
    }

    @Test
    void hostileMessageContentIsRenderedVerbatimNeverExecuted() {
        String c = path(canary);
        ChatTemplate t = template("{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}",
                TemplateLimits.defaults());
        List<String> contents = List.of(
                "{{ ____int3rpr3t3r____.config.objectMapper.readValue('\"file://" + c + "\"', 'java.net.URL') }}",
                "{% include '" + c + "' %}", "{{ 7*7 }}", "{% for i in range(100000000) %}x{% endfor %}",
                "{{ 'a'|center(300000000) }}", "{{ raise_exception('boom') }}", "{{", "}}", "{%", "{#");
        for (String content : contents) {
            assertThat(t.render(List.of(ChatMessage.user(content), ChatMessage.assistant(content)), false))
                    .isEqualTo("[user]" + content + "[assistant]" + content);
        }
    }

    @Test
    void nestedLoopsStopAtTheNodeBudget() {
        long t0 = System.nanoTime();
        ChatTemplateException e = fails("{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}"
                + "{% endfor %}{% endfor %}", TemplateLimits.defaults().withMaxRenderedNodes(50_000));
        assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.LIMIT);
        assertThat(e.reason()).contains("50000 template nodes");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aRenderPastItsTimeBudgetIsStoppedAndItsThreadEnds() throws InterruptedException {
        // empty inner bodies: the node budget is not reached within the time budget, the clock stops it
        String loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}"
                + "{% endfor %}{% endfor %}{% endfor %}";
        long t0 = System.nanoTime();
        ChatTemplateException e = fails(loops, TemplateLimits.defaults().withTimeout(Duration.ofMillis(300))
                .withMaxRenderedNodes(Long.MAX_VALUE));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.TIMEOUT);
        assertThat(e.reason()).contains("300 ms");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        // the worker stopped itself: no render thread is left running template code
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> busy = busyRenderThreads();
        while (!busy.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            busy = busyRenderThreads();
        }
        assertThat(busy).as("render threads still running template code").isEmpty();
    }

    private static List<String> busyRenderThreads() {
        List<String> busy = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            if (t.getKey().getName().startsWith("qalign-chat-template-")) {
                for (StackTraceElement frame : t.getValue()) {
                    if (frame.getClassName().startsWith("com.hubspot.jinjava")) {
                        busy.add(t.getKey().getName());
                        break;
                    }
                }
            }
        }
        return busy;
    }

    @Test
    void hugeStringsAreRefusedBeforeTheyAreBuilt() {
        List<String> attempts = List.of(
                "{{ 'a'|center(300000000) }}",
                "{{ '%300000000s'|format('x') }}",
                "{{ 'x'|indent(300000000) }}",
                "{{ 'ab'.replace('a', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') * 1000000 }}",
                "{% set s = 'aaaaaaaaaaaaaaaa' %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
                "{% set s = 'aaaaaaaaaaaaaaaa' %}{% for i in range(40) %}{% set s = s + s %}{% endfor %}{{ s }}",
                "{{ 'a' * 300000000 }}",
                "{% for i in range(100000) %}{{ 'abcdefghijklmnopqrstuvwxyz' * 100 }}{% endfor %}",
                "{{ range(100000)|join(',')|center(100000000) }}",
                "{% set l = [1] %}{% for i in range(40) %}{% set l = l + l %}{% endfor %}{{ l|length }}",
                "{{ ([1] * 300000000)|length }}",
                "{{ range(300000000)|list|length }}");
        for (String attempt : attempts) {
            ChatTemplateException e = fails(attempt);
            assertThat(e.kind()).as(attempt).isIn(ChatTemplateException.Kind.LIMIT, ChatTemplateException.Kind.ENGINE,
                    ChatTemplateException.Kind.INVALID);
            assertThat(e.reason()).as(attempt).doesNotContain("out of memory");
        }
    }

    @Test
    void deepNestingIsRefusedWhenTheTemplateIsCreated() {
        String ifs = "{% if true %}".repeat(5000) + "x" + "{% endif %}".repeat(5000);
        String parens = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        String lists = "{{ " + "[".repeat(5000) + "]".repeat(5000) + " }}";
        for (String s : List.of(ifs, parens, lists)) {
            ChatTemplateException e = catchThrowableOfType(() -> template(s, TemplateLimits.defaults()),
                    ChatTemplateException.class);
            assertThat(e).isNotNull();
            assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.LIMIT);
            assertThat(e.reason()).contains("nesting depth").contains("exceeds the 64 accepted");
        }
        ChatTemplateException e = fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        assertThat(e.kind()).isIn(ChatTemplateException.Kind.LIMIT, ChatTemplateException.Kind.ENGINE,
                ChatTemplateException.Kind.INVALID);
    }

    @Test
    void aStackOverflowInsideTheEngineBecomesTheClearException() {
        // nesting limit lifted on purpose: the engine itself recurses until the worker's stack overflows
        String ifs = "{% if true %}".repeat(30_000) + "x" + "{% endif %}".repeat(30_000);
        ChatTemplateException e = fails(ifs, TemplateLimits.defaults().withMaxNestingDepth(1_000_000));
        assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.ENGINE);
        assertThat(e.reason()).contains("stack");
        assertThat(e.getCause()).isInstanceOf(StackOverflowError.class);
    }

    @Test
    void anOutOfMemoryErrorInsideTheEngineBecomesTheClearException() {
        // string limit lifted on purpose: one 1.5 GB allocation cannot fit the 1 GiB test heap and fails at once
        ChatTemplateException e = fails("{{ 'a'|center(1500000000) }}",
                TemplateLimits.defaults().withMaxStringLength(Integer.MAX_VALUE - 16));
        assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.ENGINE);
        assertThat(e.reason()).contains("out of memory");
        assertThat(e.getCause()).isInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void unclosedTagsFailInLinearTime() {
        for (int kb : new int[] {80, 800}) {
            String braces = "{{".repeat(kb * 512);
            String mixed = "a {% b {{ c '".repeat(kb * 1024 / 13);
            for (String s : List.of(braces, mixed)) {
                long t0 = System.nanoTime();
                ChatTemplateException e = catchThrowableOfType(() -> template(s, TemplateLimits.defaults()),
                        ChatTemplateException.class);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(e).isNotNull();
                assertThat(e.kind()).isEqualTo(ChatTemplateException.Kind.INVALID);
                assertThat(e.reason()).startsWith("unclosed '").contains("at line 1");
                // was 38 s for 80 KB with the quadratic regular expression; linear now (milliseconds)
                assertThat(took).as("%d KB", kb).isLessThan(Duration.ofSeconds(2));
            }
        }
        String huge = "x".repeat(1_000_001);
        assertThat(catchThrowableOfType(() -> template(huge, TemplateLimits.defaults()), ChatTemplateException.class)
                .kind()).isEqualTo(ChatTemplateException.Kind.LIMIT);
    }

    @Test
    void syntaxErrorsAndRaisedExceptionsNameTheTemplate() {
        assertThat(fails("{% if %}x{% endif %}").kind()).isEqualTo(ChatTemplateException.Kind.INVALID);
        assertThat(fails("{% for %}{% endfor %}").kind()).isEqualTo(ChatTemplateException.Kind.INVALID);
        ChatTemplateException raised = fails("{{ raise_exception('Only user and assistant roles are supported!') }}");
        assertThat(raised.kind()).isEqualTo(ChatTemplateException.Kind.RAISED);
        assertThat(raised.reason()).isEqualTo("Only user and assistant roles are supported!");
        assertThatThrownBy(() -> template("{{ strftime_now('%Y') }}", TemplateLimits.defaults())
                .render(List.of(), false)).isInstanceOf(ChatTemplateException.class).hasMessageStartingWith(
                "chat template " + NAME);
    }
}
