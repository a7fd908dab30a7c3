package io.vizrelay.taskinfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import io.vizrelay.common.json.Json;

/**
 * Decodes request bodies into typed records at the edge; every failure is a 400 from the catalog.
 */
final class Bodies {
  private Bodies() {}

  /**
   * A JSON object body as {@code type}; malformed JSON is INVALID_JSON, wrong types INVALID_FIELD.
   */
  static <T> T decode(Buffer body, Class<T> type) {
    if (body == null || body.length() == 0) {
      throw new ApiException(ErrorCode.INVALID_JSON, "request body is empty");
    }
    JsonNode node = Json.parse(body.getBytes());
    if (!node.isObject()) {
      throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
    }
    try {
      return Json.MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new ApiException(ErrorCode.INVALID_FIELD, "invalid field: " + e.getOriginalMessage());
    }
  }

  /** Trusted JSON from the event bus or our own database. */
  static <T> T decodeTrusted(byte[] bytes, Class<T> type) {
    try {
      return Json.MAPPER.readValue(bytes, type);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "undecodable " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_FIELD, message);
  }
}
