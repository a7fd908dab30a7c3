package io.vizrelay.common.error;

/** A client-visible failure: one catalog code plus a message for humans. No stack trace is kept. */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;

  public ApiException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ApiException(ErrorCode code) {
    this(code, code.defaultMessage());
  }

  public ErrorCode code() {
    return code;
  }

  public int status() {
    return code.status();
  }
}
