package io.vizrelay.app.launcher;

import java.time.Duration;

/**
 * The launcher's intervals.
 *
 * @param heartbeat between heartbeats (well under the server's lost-after, 60 s by default)
 * @param controlPoll how long one control long-poll may park on the server (at most 60 s)
 * @param retryMin first delay after a failed call; doubles per failure
 * @param retryMax longest delay between retries
 * @param reportFor how long the outcome is retried after the command ended before the launcher
 *     gives up
 * @param consoleBatch how long captured output lines gather before they are sent
 */
public record Timing(
    Duration heartbeat,
    Duration controlPoll,
    Duration retryMin,
    Duration retryMax,
    Duration reportFor,
    Duration consoleBatch) {

  public static final Timing DEFAULT =
      new Timing(
          Duration.ofSeconds(15),
          Duration.ofSeconds(30),
          Duration.ofMillis(500),
          Duration.ofSeconds(15),
          Duration.ofMinutes(10),
          Duration.ofMillis(250));

  Backoff backoff() {
    return new Backoff(retryMin, retryMax);
  }
}
