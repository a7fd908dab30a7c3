package io.vizrelay.common.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The pool and the Flyway migrations against a real PostgreSQL. */
class PgDatabaseTest {

  @Test
  void migratesOnceEvenWhenMembersStartTogether() throws Exception {
    PgConfig config =
        PgConfig.fromEnv(
            Map.of(
                "VIZRELAY_PG_URL",
                TestPostgres.shared().newDatabase(),
                "VIZRELAY_PG_POOL_SIZE",
                "2"));
    ExecutorService starts = Executors.newFixedThreadPool(3);
    List<Future<PgDatabase>> opened = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      opened.add(starts.submit(() -> PgDatabase.open(config)));
    }
    List<PgDatabase> dbs = new ArrayList<>();
    for (Future<PgDatabase> f : opened) {
      dbs.add(f.get());
    }
    starts.shutdown();
    try (Connection c = dbs.get(0).connection();
        Statement s = c.createStatement()) {
      try (ResultSet r =
          s.executeQuery("SELECT count(*) FROM " + PgDatabase.HISTORY + " WHERE success")) {
        r.next();
        assertEquals(1, r.getInt(1), "V1 applied exactly once");
      }
      List<String> tables = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY table_name")) {
        while (r.next()) {
          tables.add(r.getString(1));
        }
      }
      assertTrue(
          tables.containsAll(List.of("frames", "registry", "snapshots", "streams")),
          tables.toString());
    }
    dbs.forEach(PgDatabase::close);
    // a later start finds the schema current
    try (PgDatabase again = PgDatabase.open(config);
        Connection c = again.connection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + PgDatabase.HISTORY)) {
      r.next();
      assertEquals(1, r.getInt(1));
    }
  }
}
