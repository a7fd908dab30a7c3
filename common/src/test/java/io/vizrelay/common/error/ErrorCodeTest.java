package io.vizrelay.common.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Issue 12: statuses Vert.x raises by itself get the generic code of their status, not a specific
 * one.
 */
class ErrorCodeTest {
  @Test
  void frameworkStatusesGetTheirOwnCodes() {
    assertEquals(ErrorCode.NOT_FOUND, ErrorCode.forStatus(404), "not ENV_NOT_FOUND");
    assertEquals(ErrorCode.BAD_REQUEST, ErrorCode.forStatus(400), "not INVALID_JSON");
    assertEquals(ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.forStatus(405));
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.forStatus(413));
    assertEquals(ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.forStatus(415));
    assertEquals(ErrorCode.BAD_REQUEST, ErrorCode.forStatus(431));
    assertEquals(ErrorCode.INTERNAL, ErrorCode.forStatus(502));
  }

  @Test
  void everyGenericCodeMapsBackToItself() {
    for (ErrorCode code :
        new ErrorCode[] {
          ErrorCode.BAD_REQUEST,
          ErrorCode.NOT_FOUND,
          ErrorCode.METHOD_NOT_ALLOWED,
          ErrorCode.UNAUTHORIZED,
          ErrorCode.FORBIDDEN,
          ErrorCode.TOO_MANY_REQUESTS,
          ErrorCode.MISDIRECTED_REQUEST
        }) {
      assertEquals(code, ErrorCode.forStatus(code.status()));
    }
  }
}
