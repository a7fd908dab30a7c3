package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One message an event makes for the task's browsers, before the store numbers it.
 *
 * @param env the env it belongs to, or null for task-wide frames ({@code env_update})
 * @param message the visdom-format message ({@code window}, {@code window_update}, {@code close},
 *     {@code env_update}, ...), never mutated after it is made
 * @param compact the compact append form of a pure append, or null
 */
public record Frame(String env, ObjectNode message, ObjectNode compact) {
  public Frame(String env, ObjectNode message) {
    this(env, message, null);
  }

  public String command() {
    return message.path("command").asText();
  }
}
