/**
 * The run directory's journal: its byte format ({@link io.shatter.broker.journal.JournalFormat}),
 * the reader that checks and replays it ({@link io.shatter.broker.journal.JournalReader}) and the
 * appender ({@link io.shatter.broker.journal.Journal}). File IO only; what a record means is the
 * core's business (replay goes through its commit path).
 */
package io.shatter.broker.journal;
