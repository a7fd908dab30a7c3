package io.vizrelay.common.visdom;

import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;

/**
 * Validation of env and window ids: at most {@link Limits#MAX_ID_LENGTH} chars, no control chars.
 */
final class Ids {
  private Ids() {}

  static String env(String eid) {
    if (eid == null) {
      throw new ApiException(ErrorCode.INVALID_ENV, "env id is missing");
    }
    String problem = problem(eid);
    if (problem != null) {
      throw new ApiException(ErrorCode.INVALID_ENV, "env id " + problem);
    }
    return eid;
  }

  /** Null is allowed (it means "all windows" or "make an id", depending on the command). */
  static String window(String win) {
    if (win == null) {
      return null;
    }
    String problem = problem(win);
    if (problem != null) {
      throw new ApiException(ErrorCode.INVALID_WINDOW, "window id " + problem);
    }
    return win;
  }

  private static String problem(String id) {
    if (id.length() > Limits.MAX_ID_LENGTH) {
      return "is longer than " + Limits.MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        return "contains a control character";
      }
    }
    return null;
  }
}
