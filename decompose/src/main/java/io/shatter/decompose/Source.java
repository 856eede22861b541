package io.shatter.decompose;

import java.util.function.Supplier;

/** Where one argument of a recorded call gets its value when the shard runs. */
sealed interface Source permits Source.Constant, Source.Blank, Version {

    /** A constant recorded with the call. */
    record Constant(Object value) implements Source {
    }

    /** A blank value for a write-only parameter. */
    record Blank(Supplier<?> blank) implements Source {
    }
}
