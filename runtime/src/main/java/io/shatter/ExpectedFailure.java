package io.shatter;

/**
 * Marks an exception whose message already says everything a person needs (a task's command
 * failed, an input was invalid): failure reports show the message alone, without the Java location.
 */
public interface ExpectedFailure {
}
