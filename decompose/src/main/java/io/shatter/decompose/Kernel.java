package io.shatter.decompose;

import io.shatter.Codec;
import io.shatter.Priority;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A kernel as the generated facade registers it: its stable id, its scheduling settings, its
 * parameters and its body. The facade holds one constant per annotated method; user code never
 * builds these by hand (tests of the recorder do).
 *
 * @param id           the stable id (unique within its class), the prefix of the shards' ids
 * @param priority     priority of its shards
 * @param cores        cores one call needs
 * @param capabilities labels a rank must offer
 * @param retries      failed attempts retried before the run fails
 * @param params       the parameters, in the kernel's order (a resumable kernel's step counter excluded)
 * @param returns      the codec of the return value, empty for {@code void} and resumable kernels
 * @param body         how to call it
 */
public record Kernel(String id, Priority priority, int cores, List<String> capabilities, int retries,
                     List<Param> params, Optional<Codec<?>> returns, Body body) {
    public Kernel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(priority, "priority");
        capabilities = List.copyOf(capabilities);
        params = List.copyOf(params);
        Objects.requireNonNull(returns, "returns");
        Objects.requireNonNull(body, "body");
        if (body instanceof Steps && returns.isPresent()) {
            throw new IllegalArgumentException("kernel '" + id + "': a resumable kernel returns whether another step remains, not a value");
        }
        if (body instanceof Steps && params.stream().noneMatch(p -> p.access().writes())) {
            throw new IllegalArgumentException("kernel '" + id + "': a resumable kernel needs a written parameter to hold its state");
        }
    }

    /** Whether the kernel runs step by step. */
    public boolean resumable() {
        return body instanceof Steps;
    }

    /** How a kernel is called: all at once, or step by step. */
    public sealed interface Body permits Call, Steps {
    }

    /** A plain kernel: one call with the arguments in parameter order; returns the return value (null for void). */
    @FunctionalInterface
    public non-sealed interface Call extends Body {
        Object call(Object[] args) throws Exception;
    }

    /** A resumable kernel: step {@code step} (from 0) with the arguments; returns whether another step remains. */
    @FunctionalInterface
    public non-sealed interface Steps extends Body {
        boolean step(long step, Object[] args) throws Exception;
    }
}
