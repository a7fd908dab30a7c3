package io.vizrelay.common.error;

/**
 * The catalog of every client-visible error, with its HTTP status. Adding an error means adding a
 * constant here and nowhere else. Rendered as {@code {"error":{"code":NAME,"message":...}}}.
 */
public enum ErrorCode {
  INVALID_JSON(400, "request body is not valid JSON"),
  INVALID_EVENT(400, "the event is not a valid visdom message"),
  INVALID_TASK_ID(400, "task_id is missing or malformed"),
  INVALID_ENV(400, "env id is malformed"),
  INVALID_WINDOW(400, "window id is malformed"),
  INVALID_FIELD(400, "a field has an invalid value"),
  /** A malformed request that the HTTP layer refused before any handler read it. */
  BAD_REQUEST(400, "malformed request"),
  ENV_NOT_FOUND(404, "env does not exist"),
  WINDOW_NOT_FOUND(404, "window does not exist"),
  TASK_NOT_FOUND(404, "task does not exist"),
  NOT_FOUND(404, "no such resource"),
  METHOD_NOT_ALLOWED(405, "method not allowed"),
  CONFLICT(409, "the request conflicts with the task's state"),
  PAYLOAD_TOO_LARGE(413, "request body is too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "this request needs Content-Type: application/json"),
  /**
   * A {@code Host} this server does not answer for (DNS rebinding defence with {@code
   * VIZRELAY_AUTH=none}).
   */
  MISDIRECTED_REQUEST(421, "this server does not answer for that host name"),
  LIMIT_EXCEEDED(422, "a configured limit would be exceeded"),
  UNAUTHORIZED(401, "authentication required"),
  FORBIDDEN(403, "not allowed"),
  TOO_MANY_REQUESTS(429, "rate limit exceeded"),
  UNAVAILABLE(503, "the server cannot take this request now"),
  INTERNAL(500, "internal error");

  private final int status;
  private final String defaultMessage;

  ErrorCode(int status, String defaultMessage) {
    this.status = status;
    this.defaultMessage = defaultMessage;
  }

  /** The HTTP status this error maps to (the one mapping, see class doc). */
  public int status() {
    return status;
  }

  public String defaultMessage() {
    return defaultMessage;
  }

  /**
   * The error for an HTTP status that Vert.x raised by itself (a route that does not exist, a
   * method a path does not take, 413 from BodyHandler...): the generic code of that status, never
   * one of the specific codes above (a framework 404 is {@code NOT_FOUND}, not {@code
   * ENV_NOT_FOUND}).
   */
  public static ErrorCode forStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 409 -> CONFLICT;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 421 -> MISDIRECTED_REQUEST;
      case 429 -> TOO_MANY_REQUESTS;
      case 503 -> UNAVAILABLE;
      default -> status >= 500 ? INTERNAL : BAD_REQUEST;
    };
  }
}
