/** The injected clock: the system's in production, a manual one in tests. */
package io.shatter.time;
