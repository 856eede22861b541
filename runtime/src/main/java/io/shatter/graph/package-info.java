/**
 * The task graph's internals: a shard's immutable spec, its kind, and its lifecycle with the states
 * DESIGN.md allows and attempt numbering (fencing).
 */
package io.shatter.graph;
