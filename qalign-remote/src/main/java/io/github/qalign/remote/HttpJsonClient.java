package io.github.qalign.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * JSON over HTTP to a {@link Fleet}, with the bounds and retries of {@link RemoteOptions}.
 *
 * <p>Built on the JDK's {@link HttpClient} (HTTP/1.1 with keep-alive pooling): no dependency beyond the JDK in a
 * library module, asynchronous sends so the whole attempt (headers and body) runs under one deadline, and a body
 * subscriber that stops reading past {@link RemoteOptions#maxResponseBytes()}.
 *
 * <p>One call: pick an endpoint ({@link Fleet#choose}), wait for one of its permits, POST, read at most the body
 * limit within the deadline, parse and validate. Retried (when the request is idempotent — every seeded generation
 * and every scoring request is): connection errors and resets, timeouts, 429 (waiting at least its
 * {@code Retry-After}), 5xx, and responses that fail to parse or validate ({@link InvalidResponseException}); other
 * statuses fail at once. After the last attempt the call fails with one {@link RemoteException}.
 */
final class HttpJsonClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Fleet fleet;
    private final RemoteOptions options;
    private final HttpClient http;
    private final SplittableRandom jitter;

    HttpJsonClient(Fleet fleet, RemoteOptions options) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.options = Objects.requireNonNull(options, "options");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.jitter = new SplittableRandom(options.jitterSeed());
    }

    Fleet fleet() {
        return fleet;
    }

    /** Parses and validates a response; throws {@link InvalidResponseException} on anything unexpected. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(JsonNode body);
    }

    /**
     * POSTs {@code body} to {@code path} on an endpoint chosen for {@code affinityKey}.
     *
     * @param affinityKey routing key (the prompt)
     * @param path        absolute path
     * @param body        the JSON body
     * @param idempotent  whether the request may be retried
     * @param parser      parser and validator of the response
     * @return the parsed response
     * @throws RemoteException after the last attempt
     */
    <T> T post(String affinityKey, String path, ObjectNode body, boolean idempotent, Parser<T> parser) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a request body", e);
        }
        RetryPolicy retry = options.retry();
        List<Fleet.Member> tried = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            Fleet.Member m = fleet.choose(affinityKey, tried);
            URI uri = m.resolve(path);
            Failure f = attempt(m, uri, bytes, parser);
            if (f.result != null) {
                return f.result();
            }
            if (!f.retryable || !idempotent || attempt >= retry.maxAttempts()) {
                throw new RemoteException(uri, f.status, f.bodyHead, attempt, f.detail, f.cause);
            }
            Duration wait;
            synchronized (jitter) {
                wait = retry.backoff(attempt, jitter);
            }
            if (f.retryAfter != null) {
                if (f.retryAfter.compareTo(retry.maxRetryAfter()) > 0) {
                    throw new RemoteException(uri, f.status, f.bodyHead, attempt, f.detail + "; Retry-After "
                            + f.retryAfter.toSeconds() + " s exceeds the " + retry.maxRetryAfter().toSeconds()
                            + " s accepted", f.cause);
                }
                if (f.retryAfter.compareTo(wait) > 0) {
                    wait = f.retryAfter;
                }
            }
            if (!tried.contains(m)) {
                tried.add(m);
            }
            try {
                options.sleeper().sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteException(uri, f.status, f.bodyHead, attempt, "interrupted while waiting to retry after: "
                        + f.detail, e);
            }
        }
    }

    private <T> Failure attempt(Fleet.Member m, URI uri, byte[] body, Parser<T> parser) {
        try {
            m.permits().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Failure.fatal(RemoteException.NO_STATUS, "", "interrupted while waiting for a connection slot", e);
        }
        m.outstanding().incrementAndGet();
        try {
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(options.requestTimeout())
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (options.apiKey() != null) {
                rb.header("Authorization", "Bearer " + options.apiKey());
            }
            CompletableFuture<HttpResponse<byte[]>> future =
                    http.sendAsync(rb.build(), info -> new BoundedBody(options.maxResponseBytes()));
            HttpResponse<byte[]> response;
            try {
                response = future.get(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                fleet.failed(m);
                return Failure.retry(RemoteException.NO_STATUS, "", "no complete response within the "
                        + options.requestTimeout().toMillis() + " ms request timeout", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                if (c instanceof BodyTooLargeException) {
                    fleet.failed(m);
                    return Failure.fatal(RemoteException.NO_STATUS, "", c.getMessage(), c);
                }
                fleet.failed(m);
                if (c instanceof HttpTimeoutException) {
                    return Failure.retry(RemoteException.NO_STATUS, "", "no complete response within the "
                            + options.requestTimeout().toMillis() + " ms request timeout", c);
                }
                String what = c instanceof ConnectException ? "connection refused or unreachable"
                        : "connection failed";
                return Failure.retry(RemoteException.NO_STATUS, "", what + ": " + c, c);
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                return Failure.fatal(RemoteException.NO_STATUS, "", "interrupted while waiting for the response", e);
            }
            int status = response.statusCode();
            byte[] bytes = response.body();
            String head = head(bytes);
            if (status == 429 || status == 503) {
                if (status == 503) {
                    fleet.failed(m);
                }
                Failure f = Failure.retry(status, head, status == 429 ? "rate limited" : "service unavailable", null);
                f.retryAfter = retryAfter(response.headers().firstValue("Retry-After").orElse(null));
                return f;
            }
            if (status >= 500) {
                fleet.failed(m);
                return Failure.retry(status, head, "server error", null);
            }
            if (status < 200 || status >= 300) {
                // the server is up and answered; the request itself is wrong: retrying cannot help
                fleet.succeeded(m);
                return Failure.fatal(status, head, "request rejected", null);
            }
            try {
                JsonNode root = JSON.readTree(bytes);
                if (root == null || root.isMissingNode()) {
                    throw new InvalidResponseException("empty body");
                }
                T t = parser.parse(root);
                fleet.succeeded(m);
                Failure ok = new Failure();
                ok.result = t;
                return ok;
            } catch (IOException e) {
                fleet.failed(m);
                return Failure.retry(status, head, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""),
                        e);
            } catch (InvalidResponseException e) {
                fleet.failed(m);
                return Failure.retry(status, head, "invalid response: " + e.getMessage(), e);
            }
        } finally {
            m.outstanding().decrementAndGet();
            m.permits().release();
        }
    }

    static String head(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return "";
        }
        int n = Math.min(bytes.length, RemoteOptions.BODY_HEAD_CHARS * 4);
        String s = new String(bytes, 0, n, StandardCharsets.UTF_8);
        if (s.length() > RemoteOptions.BODY_HEAD_CHARS) {
            s = s.substring(0, RemoteOptions.BODY_HEAD_CHARS) + "...";
        } else if (n < bytes.length) {
            s = s + "...";
        }
        return s.replaceAll("[\\r\\n\\t]+", " ");
    }

    /** Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long s = Long.parseLong(v);
            return s < 0 ? null : Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(t.getZone()), t);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** The outcome of one attempt: a result, or why it failed and whether to retry. */
    private static final class Failure {
        Object result;
        int status = RemoteException.NO_STATUS;
        String bodyHead = "";
        String detail;
        Throwable cause;
        boolean retryable;
        Duration retryAfter;

        static Failure retry(int status, String head, String detail, Throwable cause) {
            Failure f = new Failure();
            f.status = status;
            f.bodyHead = head;
            f.detail = detail;
            f.cause = cause;
            f.retryable = true;
            return f;
        }

        static Failure fatal(int status, String head, String detail, Throwable cause) {
            Failure f = retry(status, head, detail, cause);
            f.retryable = false;
            return f;
        }

        @SuppressWarnings("unchecked")
        <T> T result() {
            return (T) result;
        }
    }

    /** The response body exceeded the limit. */
    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(long limit) {
            super("response body exceeds the " + limit + " bytes accepted (RemoteOptions.maxResponseBytes)");
        }
    }

    /** Collects a body up to a limit; past it, cancels the stream and fails. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new BodyTooLargeException(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
