/**
 * Writers for what a run did, usable from the API as from the {@code shatter} command:
 * {@link io.shatter.report.SummaryJson} (the run summary), {@link io.shatter.report.ChromeTrace}
 * (the timeline as Chrome trace event JSON that Perfetto draws as it is) and
 * {@link io.shatter.report.HtmlReport} (one self-contained HTML file with charts). Each writes the
 * whole file at once, readable only by its owner where the file system allows.
 */
package io.shatter.report;
