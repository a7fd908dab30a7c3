package io.vizrelay.common.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vizrelay.common.error.ApiException;
import io.vizrelay.common.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one Jackson mapper of vizrelay. Object member order is preserved (visdom's order is part of
 * what browsers see), doubles stay doubles ({@code 1.0} is written back as {@code 1.0}) and JSON
 * nesting depth is capped at {@link #MAX_DEPTH}. Arrays hold their numbers as primitives ({@link
 * CompactArrayNode}), which changes nothing of what is read or written.
 */
public final class Json {
  /** Maximum nesting depth accepted in any JSON body. */
  public static final int MAX_DEPTH = 64;

  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .nodeFactory(CompactNodeFactory.INSTANCE)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
  }

  /** Makes every array a {@link CompactArrayNode} (numbers held as primitives). */
  public static final JsonNodeFactory NODES = CompactNodeFactory.INSTANCE;

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * Parses client input; a malformed body becomes a 400 {@code INVALID_JSON}. The tree is the one
   * {@link ObjectMapper#readTree} makes ({@code JsonParseTest} compares them), built by {@link
   * TreeReader}: numbers of arrays go straight into their columns, without a node each and without
   * the mapper's per-call set-up (Jackson's tree deserializer was 7.5 % of the event loop in a
   * profile of 1-point ingest). The parser and its limits ({@link #MAX_DEPTH}) are the mapper's.
   */
  public static JsonNode parse(byte[] bytes) {
    try {
      JsonNode node = TreeReader.read(bytes);
      if (node == null || node.isMissingNode()) {
        throw new ApiException(ErrorCode.INVALID_JSON, "request body is empty");
      }
      return node;
    } catch (IOException e) {
      throw new ApiException(
          ErrorCode.INVALID_JSON, "request body is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  /**
   * Parses trusted JSON (our own log and snapshots) into the tree {@link ObjectMapper#readTree}
   * would make, numbers of arrays straight into their columns ({@link TreeReader}); a failure is an
   * {@link UncheckedIOException}, not a client error.
   */
  public static JsonNode parseTrusted(byte[] bytes) {
    try {
      return TreeReader.read(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes trusted JSON (our own records, from the grid or a database) into {@code type}. */
  public static <T> T read(byte[] bytes, Class<T> type) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String string(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
