package io.github.qalign.remote;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The endpoints serving one model, and which of them gets the next request.
 *
 * <p>Routing: every request carries an affinity key (the prompt); its preferred endpoint is fixed by rendezvous
 * hashing over all endpoints, so the requests of one prompt go to the same server while it is healthy and its prefix
 * cache stays warm (QAlign proposals share the prompt and the kept prefix with earlier requests). When the preferred
 * endpoint is out, the request goes to the healthy endpoint with the fewest requests in flight (the lowest index on
 * ties). An endpoint whose call failed (connection error, timeout, 5xx, invalid response) is taken out for
 * {@link RemoteOptions#probeAfter()}; after that the next request routed to it is the probe that brings it back (or
 * takes it out again). When every endpoint is out, the one that has been out longest is probed at once, so a call
 * never waits on the fleet itself; the retry policy paces the attempts.
 *
 * <p>Each endpoint admits at most {@link RemoteOptions#maxConcurrentPerEndpoint()} requests at a time. Thread-safe.
 */
public final class Fleet {

    private final List<Member> members;
    private final long probeAfterNanos;
    private final LongSupplier nanoClock;

    /**
     * A fleet over {@code endpoints}.
     *
     * @param endpoints     base URLs ({@code http://host:port}, optionally with a path prefix), not empty, distinct
     * @param maxConcurrent requests in flight per endpoint
     * @param probeAfterNanos how long a failed endpoint stays out, in nanoseconds
     * @param nanoClock     the clock ({@link System#nanoTime} outside tests)
     */
    public Fleet(List<URI> endpoints, int maxConcurrent, long probeAfterNanos, LongSupplier nanoClock) {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("a fleet needs at least one endpoint");
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be >= 1, got " + maxConcurrent);
        }
        this.members = new ArrayList<>(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            URI base = normalize(Objects.requireNonNull(endpoints.get(i), "endpoint " + i));
            for (Member m : members) {
                if (m.base.equals(base)) {
                    throw new IllegalArgumentException("endpoint " + base + " is listed twice");
                }
            }
            members.add(new Member(i, base, maxConcurrent));
        }
        this.probeAfterNanos = probeAfterNanos;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * A fleet with the concurrency and probe interval of {@code options} and the system clock.
     *
     * @param endpoints base URLs, not empty
     * @param options   the options
     * @return the fleet
     */
    public static Fleet of(List<URI> endpoints, RemoteOptions options) {
        return new Fleet(endpoints, options.maxConcurrentPerEndpoint(), options.probeAfter().toNanos(),
                System::nanoTime);
    }

    /**
     * Checks and normalizes a base URL: http or https, a host, no query or fragment, no trailing slash.
     *
     * @param uri the URL
     * @return the normalized URL
     * @throws IllegalArgumentException naming the problem
     */
    public static URI normalize(URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("endpoint " + uri + " must be an http:// or https:// URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint " + uri + " has no host");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("endpoint " + uri + " must not have a query or fragment");
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/v1")) {
            // users often paste the OpenAI base URL; the paths used here include /v1 where the API has it
            s = s.substring(0, s.length() - 3);
        }
        return URI.create(s);
    }

    /**
     * The endpoints, in the order given.
     *
     * @return the endpoints
     */
    public List<Member> members() {
        return List.copyOf(members);
    }

    /**
     * Picks the endpoint for the next attempt of a request.
     *
     * @param affinityKey the request's affinity key (its prompt)
     * @param exclude     endpoints that already failed this request (avoided while another one is eligible)
     * @return the endpoint
     */
    public Member choose(String affinityKey, Collection<Member> exclude) {
        long now = nanoClock.getAsLong();
        List<Member> eligible = new ArrayList<>(members.size());
        for (Member m : members) {
            if (m.isUp(now)) {
                eligible.add(m);
            }
        }
        if (eligible.size() > exclude.size()) {
            eligible.removeAll(exclude);
        }
        if (eligible.isEmpty()) {
            Member oldest = members.get(0);
            for (Member m : members) {
                if (m.downSince < oldest.downSince) {
                    oldest = m;
                }
            }
            return oldest;
        }
        Member preferred = preferred(affinityKey);
        if (eligible.contains(preferred)) {
            return preferred;
        }
        Member best = null;
        for (Member m : eligible) {
            if (best == null || m.outstanding.get() < best.outstanding.get()) {
                best = m;
            }
        }
        return best;
    }

    /**
     * The endpoint a key prefers (rendezvous hashing over all endpoints, healthy or not).
     *
     * @param affinityKey the key
     * @return the preferred endpoint
     */
    public Member preferred(String affinityKey) {
        byte[] key = affinityKey.getBytes(StandardCharsets.UTF_8);
        Member best = null;
        long bestScore = 0;
        for (Member m : members) {
            long h = 0x9E3779B97F4A7C15L * (m.index + 1);
            for (byte b : key) {
                h = mix(h ^ (b & 0xff));
            }
            h = mix(h ^ m.base.hashCode());
            if (best == null || Long.compareUnsigned(h, bestScore) > 0) {
                best = m;
                bestScore = h;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    void succeeded(Member m) {
        m.requests.incrementAndGet();
        m.down = false;
    }

    void failed(Member m) {
        m.requests.incrementAndGet();
        m.failures.incrementAndGet();
        long now = nanoClock.getAsLong();
        if (!m.down) {
            m.downSince = now;
        }
        m.down = true;
        m.retryAt = now + probeAfterNanos;
    }

    /**
     * A snapshot of every endpoint's health and counters.
     *
     * @return one status per endpoint, in order
     */
    public List<EndpointStatus> status() {
        long now = nanoClock.getAsLong();
        List<EndpointStatus> out = new ArrayList<>(members.size());
        for (Member m : members) {
            out.add(new EndpointStatus(m.base, !m.down, m.isUp(now), m.outstanding.get(), m.requests.get(),
                    m.failures.get()));
        }
        return out;
    }

    /**
     * One endpoint's state.
     *
     * @param endpoint    the base URL
     * @param healthy     whether its last call succeeded (or it was never called)
     * @param eligible    whether it takes requests now (healthy, or out long enough to be probed)
     * @param outstanding requests in flight
     * @param requests    attempts finished (successes and failures)
     * @param failures    attempts failed
     */
    public record EndpointStatus(URI endpoint, boolean healthy, boolean eligible, int outstanding, long requests,
                                 long failures) {
    }

    /** One endpoint of the fleet. */
    public static final class Member {
        private final int index;
        private final URI base;
        private final Semaphore permits;
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private volatile boolean down;
        private volatile long downSince;
        private volatile long retryAt;

        private Member(int index, URI base, int maxConcurrent) {
            this.index = index;
            this.base = base;
            this.permits = new Semaphore(maxConcurrent, true);
        }

        private boolean isUp(long now) {
            return !down || now - retryAt >= 0;
        }

        /**
         * The base URL.
         *
         * @return the base URL
         */
        public URI base() {
            return base;
        }

        /**
         * The URL of {@code path} on this endpoint.
         *
         * @param path an absolute path such as {@code /v1/completions}
         * @return the URL
         */
        public URI resolve(String path) {
            return URI.create(base + path);
        }

        Semaphore permits() {
            return permits;
        }

        AtomicInteger outstanding() {
            return outstanding;
        }

        @Override
        public String toString() {
            return base.toString();
        }
    }
}
