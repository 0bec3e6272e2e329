package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.tokenizer.ChatCodec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Shared helpers of the qalign-remote tests. */
final class TestSupport {

    private TestSupport() {
    }

    /** Records the waits instead of sleeping. */
    static final class RecordingSleeper implements Sleeper {
        final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sleep(Duration delay) {
            waits.add(delay);
        }
    }

    static RemoteOptions fastOptions(RecordingSleeper sleeper, int attempts) {
        return RemoteOptions.builder().retry(new RetryPolicy(attempts, Duration.ofMillis(100), Duration.ofSeconds(2),
                        0.5, Duration.ofSeconds(30))).sleeper(sleeper).requestTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2)).probeAfter(Duration.ofSeconds(30)).build();
    }

    /** A codec over a toy vocabulary: a prompt is its code points + 1000; ids decode to "&lt;id&gt;" joined. */
    static final class IdCodec implements ChatCodec {
        @Override
        public int[] encodePrompt(List<io.github.qalign.model.ChatMessage> messages) {
            StringBuilder sb = new StringBuilder();
            messages.forEach(m -> sb.append(m.content()));
            return sb.toString().codePoints().map(c -> c % 1000).toArray();
        }

        @Override
        public int[] encodeExchange(List<io.github.qalign.model.ChatMessage> messages, String completion) {
            return encodePrompt(ChatCodec.withAssistant(messages, completion));
        }

        @Override
        public String decode(int[] ids) {
            return Arrays.stream(ids).mapToObj(i -> "<" + i + ">").collect(Collectors.joining());
        }
    }

    static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body)
                .build();
    }

    static JsonNode body(RecordedRequest r) throws IOException {
        return HttpJsonClient.JSON.readTree(r.getBody().utf8());
    }

    static RecordedRequest take(MockWebServer server) throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no request reached the mock server within 5 s");
        }
        return r;
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).intValue();
        }
        return out;
    }
}
