/**
 * How frames travel between ranks: the transport interface, local ranks as threads of one JVM, and
 * a composite of the run's own ranks and joined workers.
 */
package io.shatter.transport;
