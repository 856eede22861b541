package io.shatter.decompose;

import io.shatter.Codec;

/**
 * One parameter of a {@link Kernel}, as the generated facade describes it.
 *
 * @param name   the parameter's name in the kernel's source, for error messages
 * @param access how the kernel uses it
 * @param codec  how its values travel (null for a {@link Access#VALUE} constant, which never travels:
 *               every rank records it itself)
 */
public record Param(String name, Access access, Codec<?> codec) {
    public Param {
        if (access != Access.VALUE && codec == null) {
            throw new IllegalArgumentException("parameter '" + name + "' is data (" + access + ") and needs a codec");
        }
    }

    /** A constant parameter. */
    public static Param value(String name) {
        return new Param(name, Access.VALUE, null);
    }
}
