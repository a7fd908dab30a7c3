package io.vizrelay.common.visdom;

import java.util.List;

/** The result of applying one command: the reply for the client and the frames for browsers. */
public record Outcome(Reply reply, List<Frame> frames) {
  public static Outcome of(Reply reply) {
    return new Outcome(reply, List.of());
  }
}
