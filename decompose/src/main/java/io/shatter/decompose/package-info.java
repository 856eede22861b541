/**
 * Decomposition: a sequential Java program whose kernels are annotated ({@link io.shatter.decompose.Shard},
 * {@link io.shatter.decompose.Read}, {@link io.shatter.decompose.Write}, {@link io.shatter.decompose.ReadWrite})
 * becomes a shard graph. The annotation processor (module {@code shatter-decompose-processor}) checks the
 * kernels at compile time and generates a typed facade per kernel class; at run time each facade call is
 * recorded by a {@link io.shatter.decompose.Recorder}, which infers the call's dependencies from the
 * {@link io.shatter.decompose.Data} handles it touches (sequential task flow: read after write, write after
 * read, write after write, with renaming) and adds it to an ordinary {@link io.shatter.ShardGraph}.
 */
package io.shatter.decompose;
