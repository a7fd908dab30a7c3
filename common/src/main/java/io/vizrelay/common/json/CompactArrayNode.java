package io.vizrelay.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * A JSON array whose numbers are stored as primitives ({@link NumberColumn}): a plot's x/y columns
 * cost 0 to 8 bytes per point instead of a node object and a reference each. It reads, compares,
 * copies and serializes as an {@link ArrayNode} holding the same nodes; serializing a numeric
 * column writes the primitives without making nodes.
 */
public final class CompactArrayNode extends ArrayNode {
  private static final long serialVersionUID = 1L;

  private final NumberColumn column;

  CompactArrayNode(JsonNodeFactory nodes) {
    this(nodes, new NumberColumn());
  }

  private CompactArrayNode(JsonNodeFactory nodes, NumberColumn column) {
    super(nodes, column);
    this.column = column;
  }

  @Override
  public ArrayNode deepCopy() {
    return new CompactArrayNode(_nodeFactory, column.deepCopy());
  }

  /** An array holding {@code column}. */
  static CompactArrayNode of(JsonNodeFactory nodes, NumberColumn column) {
    return new CompactArrayNode(nodes, column);
  }

  NumberColumn column() {
    return column;
  }

  /** Estimated heap bytes of this array's own storage (not of nested containers). */
  public long heapBytes() {
    return 48 + column.heapBytes();
  }

  /** True when every element is held as a primitive. */
  public boolean primitive() {
    return column.primitive();
  }

  @Override
  public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
    if (!column.primitive()) {
      super.serialize(g, provider);
      return;
    }
    g.writeStartArray(this, column.size());
    column.writeElements(g);
    g.writeEndArray();
  }

  /** For tests: how the elements are held (STEP, LONGS, DOUBLES or NODES). */
  String form() {
    return column.formName();
  }
}
