package io.vizrelay.common.visdom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One message an event makes for the task's browsers, before the store numbers it.
 *
 * <p>The visdom-format message of a {@code window_update} is built on first use: a pure append is
 * relayed and logged in its compact form, so its per-element patch ops are usually never read.
 * Building it reads only request data and values frozen when the update ran, so it is the same
 * whenever (and however often) it is asked for.
 */
public final class Frame {
  private final String env;
  private final String command;
  private final ObjectNode compact;
  private final Supplier<ObjectNode> build;
  private volatile ObjectNode message;

  /**
   * @param env the env it belongs to, or null for task-wide frames ({@code env_update})
   * @param message the visdom-format message ({@code window}, {@code window_update}, {@code close},
   *     {@code env_update}, ...), never mutated after it is made
   */
  public Frame(String env, ObjectNode message) {
    this(env, message, null);
  }

  /**
   * @param compact the compact append form of a pure append, or null
   */
  public Frame(String env, ObjectNode message, ObjectNode compact) {
    this(env, message.path("command").asText(), compact, null);
    this.message = message;
  }

  private Frame(String env, String command, ObjectNode compact, Supplier<ObjectNode> build) {
    this.env = env;
    this.command = command;
    this.compact = compact;
    this.build = build;
  }

  /** A frame whose {@code command} message is built by {@code build} the first time it is read. */
  static Frame lazy(String env, String command, Supplier<ObjectNode> build, ObjectNode compact) {
    return new Frame(env, command, compact, Objects.requireNonNull(build));
  }

  /** The env it belongs to, or null for task-wide frames ({@code env_update}). */
  public String env() {
    return env;
  }

  /** The visdom-format message, never mutated after it is made. */
  public ObjectNode message() {
    ObjectNode m = message;
    if (m == null) {
      m = build.get();
      message = m;
    }
    return m;
  }

  /** The compact append form of a pure append, or null. */
  public ObjectNode compact() {
    return compact;
  }

  public String command() {
    return command;
  }

  /** True once the visdom-format message exists (always for eagerly made frames). */
  boolean messageBuilt() {
    return message != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f
        && Objects.equals(env, f.env)
        && message().equals(f.message())
        && Objects.equals(compact, f.compact);
  }

  @Override
  public int hashCode() {
    return Objects.hash(env, message(), compact);
  }

  @Override
  public String toString() {
    return "Frame[env=" + env + ", message=" + message() + ", compact=" + compact + "]";
  }
}
