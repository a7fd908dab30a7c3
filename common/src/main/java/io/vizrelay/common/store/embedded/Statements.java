package io.vizrelay.common.store.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The log writer's prepared statements, each prepared once and reused for every op (SQLite parses
 * and plans a statement at prepare time: per insert that was a good part of the writer's work).
 * Confined to the writer thread; callers never close what {@link #get} returns.
 */
final class Statements implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> bySql = new HashMap<>();

  Statements(Connection connection) {
    this.connection = connection;
  }

  /** The statement of {@code sql}, prepared on first use. */
  PreparedStatement get(String sql) throws SQLException {
    PreparedStatement ps = bySql.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      bySql.put(sql, ps);
    }
    return ps;
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement ps : bySql.values()) {
      ps.close();
    }
    bySql.clear();
  }
}
