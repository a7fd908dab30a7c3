package io.vizrelay.common.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The node factory of vizrelay's mappers: every array is a {@link CompactArrayNode}, so numbers
 * parsed from a request, a snapshot or a frame are held as primitives from the start.
 */
public final class CompactNodeFactory extends JsonNodeFactory {
  private static final long serialVersionUID = 1L;
  public static final CompactNodeFactory INSTANCE = new CompactNodeFactory();

  private CompactNodeFactory() {
    super(false);
  }

  @Override
  public ArrayNode arrayNode() {
    return new CompactArrayNode(this);
  }

  @Override
  public ArrayNode arrayNode(int capacity) {
    return new CompactArrayNode(this);
  }
}
