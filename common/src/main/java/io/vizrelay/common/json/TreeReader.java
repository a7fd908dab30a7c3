package io.vizrelay.common.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Reads JSON text into the tree {@code Json.MAPPER.readTree} makes (same node classes, same
 * values), but puts the numbers of an array straight into its primitive column instead of making a
 * node per number first: a 1M-point frame log replays without a million short-lived nodes. Used for
 * every JSON body and the store's own frames; the parser and its limits (nesting depth, number and
 * string lengths) are the mapper's, so recursion is bounded by {@link Json#MAX_DEPTH}.
 */
final class TreeReader {
  private TreeReader() {}

  static JsonNode read(byte[] bytes) throws IOException {
    try (JsonParser p = Json.MAPPER.createParser(bytes)) {
      JsonToken first = p.nextToken();
      return first == null ? MissingNode.getInstance() : value(p, first);
    }
  }

  private static JsonNode value(JsonParser p, JsonToken token) throws IOException {
    return switch (token) {
      case START_OBJECT -> object(p);
      case START_ARRAY -> array(p);
      default -> scalar(p, token);
    };
  }

  private static ObjectNode object(JsonParser p) throws IOException {
    ObjectNode o = Json.NODES.objectNode();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      o.set(name, value(p, p.nextToken()));
    }
    return o;
  }

  private static ArrayNode array(JsonParser p) throws IOException {
    CompactArrayNode a = (CompactArrayNode) Json.NODES.arrayNode();
    NumberColumn column = a.column();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
        column.appendInteger(p.getIntValue(), false);
      } else if (t == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() == JsonParser.NumberType.LONG) {
        column.appendInteger(p.getLongValue(), true);
      } else if (t == JsonToken.VALUE_NUMBER_FLOAT
          && p.getNumberTypeFP() == JsonParser.NumberTypeFP.UNKNOWN) {
        column.appendDouble(p.getDoubleValue());
      } else {
        a.add(value(p, t));
      }
    }
    return a;
  }

  /** A scalar, made as Jackson's {@code JsonNodeDeserializer} makes it with the mapper's set-up. */
  private static JsonNode scalar(JsonParser p, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> Json.NODES.textNode(p.getText());
      case VALUE_TRUE -> Json.NODES.booleanNode(true);
      case VALUE_FALSE -> Json.NODES.booleanNode(false);
      case VALUE_NULL -> Json.NODES.nullNode();
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> Json.NODES.numberNode(p.getIntValue());
            case LONG -> Json.NODES.numberNode(p.getLongValue());
            default -> Json.NODES.numberNode(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT ->
          switch (p.getNumberTypeFP()) {
            case BIG_DECIMAL -> Json.NODES.numberNode(p.getDecimalValue());
            case FLOAT32 -> Json.NODES.numberNode(p.getFloatValue());
            default -> Json.NODES.numberNode(p.getDoubleValue());
          };
      default -> Json.MAPPER.readTree(p);
    };
  }
}
