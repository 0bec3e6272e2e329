package io.github.qalign.compute;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Compute usage per named method (e.g. {@code "qalign"}, {@code "best-of-n"}), in insertion order. Immutable:
 * {@link #with(String, ComputeUsage)} returns a new ledger.
 *
 * @param usages usage per method; copied
 */
public record ComputeLedger(Map<String, ComputeUsage> usages) {

    /** The empty ledger. */
    public static final ComputeLedger EMPTY = new ComputeLedger(Map.of());

    /**
     * Validates and copies the components.
     *
     * @param usages see the record description
     */
    public ComputeLedger {
        Objects.requireNonNull(usages, "usages");
        Map<String, ComputeUsage> copy = new LinkedHashMap<>();
        usages.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "method"), Objects.requireNonNull(v, k)));
        usages = Collections.unmodifiableMap(copy);
    }

    /**
     * A ledger where {@code method}'s usage is increased by {@code usage}.
     *
     * @param method the method name, e.g. {@code "qalign"}
     * @param usage the usage to add
     * @return a ledger where {@code method}'s usage is increased by {@code usage}
     */
    public ComputeLedger with(String method, ComputeUsage usage) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(usage, "usage");
        Map<String, ComputeUsage> copy = new LinkedHashMap<>(usages);
        copy.merge(method, usage, ComputeUsage::plus);
        return new ComputeLedger(copy);
    }

    /**
     * The usage recorded for {@code method}, {@link ComputeUsage#ZERO} if none.
     *
     * @param method the method name, e.g. {@code "qalign"}
     * @return the usage recorded for {@code method}, {@link ComputeUsage#ZERO} if none
     */
    public ComputeUsage get(String method) {
        return usages.getOrDefault(method, ComputeUsage.ZERO);
    }

    /**
     * FLOPs per method, in insertion order.
     *
     * @return FLOPs per method, in insertion order
     */
    public Map<String, Double> flops() {
        Map<String, Double> out = new LinkedHashMap<>();
        usages.forEach((k, v) -> out.put(k, v.flops()));
        return Collections.unmodifiableMap(out);
    }
}
