package io.shatter.decompose.processor;

import io.shatter.decompose.Access;

import javax.lang.model.element.ExecutableElement;
import java.util.List;
import java.util.Optional;

/**
 * One checked kernel, as the facade writer needs it.
 *
 * @param method       the annotated method
 * @param id           its stable id (also the facade method's name)
 * @param constant     the facade constant holding its {@code Kernel}
 * @param priority     the name of its priority
 * @param cores        cores per call
 * @param capabilities labels a rank must offer
 * @param retries      retries per shard
 * @param resumable    whether it runs step by step (its first parameter, the step, is not in {@code params})
 * @param params       the recorded parameters
 * @param returns      the return value's boxed type and codec expression, if any
 */
record KernelModel(ExecutableElement method, String id, String constant, String priority, int cores, List<String> capabilities,
                   int retries, boolean resumable, List<ParamModel> params, Optional<Returned> returns) {

    /**
     * @param name  the parameter's name
     * @param access how the kernel uses it
     * @param type  the type as the kernel declares it (for the cast in the generated body)
     * @param boxed the type with primitives boxed (for {@code Data<...>} in the facade)
     * @param codec the codec expression, empty for constants
     */
    record ParamModel(String name, Access access, String type, String boxed, Optional<String> codec) {
    }

    /** A return value: its boxed type and codec expression. */
    record Returned(String boxed, String codec) {
    }
}
