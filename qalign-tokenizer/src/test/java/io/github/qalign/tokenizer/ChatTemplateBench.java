package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;

import java.util.List;

/**
 * Timings for docs/chat-templates.md (a main, not a test): the constructor's linear pre-pass on large unclosed and
 * valid templates, and one render of a short conversation. Run with the test classpath, e.g.
 * {@code java -cp qalign-tokenizer/target/test-classes:qalign-tokenizer/target/classes:<deps>
 * io.github.qalign.tokenizer.ChatTemplateBench}.
 */
public final class ChatTemplateBench {

    private ChatTemplateBench() {
    }

    /**
     * Prints the timings.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        for (int rep = 0; rep < 3; rep++) {
            for (int kb : new int[] {80, 800}) {
                String unclosed = "{{".repeat(kb * 512);
                long t0 = System.nanoTime();
                try {
                    ChatTemplate.builder(unclosed).build();
                } catch (ChatTemplateException expected) {
                    // the point: how fast it is refused
                }
                long t1 = System.nanoTime();
                String valid = "{% for m in messages %}{{ m['content'] }}{% endfor %}".repeat(kb * 1024 / 52);
                long t2 = System.nanoTime();
                ChatTemplate.builder(valid).build();
                long t3 = System.nanoTime();
                if (rep == 2) {
                    System.out.printf("%d KB unclosed '{{': %.1f ms; %d KB valid tags: %.1f ms%n", kb,
                            (t1 - t0) / 1e6, kb, (t3 - t2) / 1e6);
                }
            }
        }
        ChatTemplate t = ChatTemplate.builder("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] | trim }}\n"
                + "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}").build();
        List<ChatMessage> msgs = List.of(ChatMessage.system("s"), ChatMessage.user("What is 2+2?"));
        for (int i = 0; i < 2000; i++) {
            t.render(msgs, true);
        }
        int n = 5000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            t.render(msgs, true);
        }
        System.out.printf("render of a 2-message conversation: %.1f us each (worker thread included)%n",
                (System.nanoTime() - t0) / 1e3 / n);
        System.exit(0);
    }
}
