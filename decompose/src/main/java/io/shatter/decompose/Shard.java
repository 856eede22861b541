package io.shatter.decompose;

import io.shatter.Priority;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static method as a kernel: each call through the generated facade records one shard.
 * Every parameter is either data ({@link Read}, {@link Write}, {@link ReadWrite}, passed as a
 * {@link Data} handle to the facade) or, unannotated, a constant of a primitive type or
 * {@code String} captured when the call is recorded. A return value is an output: the facade
 * returns a new {@link Data} handle for it.
 *
 * <p>A resumable kernel ({@link #resumable()}) is called step by step, {@code boolean name(long step, ...)},
 * and returns whether another step remains; between two steps is a safepoint where its written
 * parameters (its state) may be checkpointed, preempted or moved to another rank.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Shard {

    /** The stable id, unique within the class (default: the method's name); shards are named {@code id-N}. */
    String id() default "";

    /** Scheduling priority of every shard this kernel records. */
    Priority priority() default Priority.MEDIUM;

    /** Cores one call needs. */
    int cores() default 1;

    /** Labels a rank must offer to run the kernel, for example {@code bigmem}. */
    String[] requires() default {};

    /** Whether the kernel runs step by step with safepoints between steps. */
    boolean resumable() default false;

    /** Failed attempts retried before the run fails (the graph's default is 2 too). */
    int retries() default 2;
}
