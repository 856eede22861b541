/**
 * The annotation processor of the decomposition module: checks every class with
 * {@link io.shatter.decompose.Shard} methods at compile time, reporting each mistake as a diagnostic
 * on the offending method or parameter, and generates the class's typed facade
 * ({@code NameFacade}), whose methods record calls instead of running them and which registers each
 * kernel's body under its stable id.
 */
package io.shatter.decompose.processor;
