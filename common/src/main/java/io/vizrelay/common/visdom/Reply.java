package io.vizrelay.common.visdom;

/**
 * What visdom answers a client: always HTTP 200 with a text body (JSON text where visdom sends
 * JSON).
 */
public record Reply(String body, boolean json) {
  public static final Reply EMPTY = new Reply("", false);

  public static Reply text(String body) {
    return new Reply(body, false);
  }

  public static Reply json(String body) {
    return new Reply(body, true);
  }
}
