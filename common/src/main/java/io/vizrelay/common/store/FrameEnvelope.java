package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The envelope members a store adds to an engine frame when it numbers it ({@code seq}, and {@code
 * env} on every frame), and their removal when a logged frame is applied again: the one owner of
 * that rule for both tiers.
 */
public final class FrameEnvelope {
  private FrameEnvelope() {}

  /**
   * Removes what numbering added, leaving the engine's message (in place; returns it): {@code seq},
   * and {@code env} of a {@code window} message, whose own members never include it.
   */
  public static ObjectNode strip(ObjectNode message) {
    message.remove("seq");
    if ("window".equals(message.path("command").asText())) {
      message.remove("env");
    }
    return message;
  }
}
