package io.vizrelay.common.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PostgreSQL tier's configuration from the environment. */
class PgConfigTest {

  @Test
  void offWhenNoUrl() {
    assertNull(PgConfig.fromEnv(Map.of()));
    assertNull(PgConfig.fromEnv(Map.of("VIZRELAY_PG_URL", "  ", "VIZRELAY_PG_COMMIT", "async")));
  }

  @Test
  void fullUrlAndDefaults() {
    PgConfig c =
        PgConfig.fromEnv(
            Map.of("VIZRELAY_PG_URL", "postgresql://viz:s%40cret@db.internal:6543/vizrelay"));
    assertEquals("db.internal", c.host());
    assertEquals(6543, c.port());
    assertEquals("vizrelay", c.database());
    assertEquals("viz", c.user());
    assertEquals("s@cret", c.password());
    assertEquals(PgConfig.Commit.SYNC, c.commit());
    assertEquals(8, c.poolSize());
    assertEquals(1000, c.snapshotFrames());
    assertEquals(10, c.maxLagSeconds());
    assertEquals("jdbc:postgresql://db.internal:6543/vizrelay", c.jdbcUrl());
    assertFalse(c.toString().contains("cret"), "the password is never printed");
    assertFalse(c.describe().contains("cret"));
  }

  @Test
  void asyncCommitWithItsLagBound() {
    PgConfig c =
        PgConfig.fromEnv(
            Map.of(
                "VIZRELAY_PG_URL",
                "postgresql://h/db",
                "VIZRELAY_PG_COMMIT",
                "async",
                "VIZRELAY_PG_MAX_LAG_SECONDS",
                "3"));
    assertEquals(PgConfig.Commit.ASYNC, c.commit());
    assertEquals(3, c.maxLagSeconds());
  }

  @Test
  void minimalUrlTakesDefaultPortAndUser() {
    PgConfig c = PgConfig.fromEnv(Map.of("VIZRELAY_PG_URL", "postgres://127.0.0.1/viz"));
    assertEquals(5432, c.port());
    assertEquals("postgres", c.user());
    assertEquals("", c.password());
  }

  @Test
  void passwordVariableOverridesTheUrls() {
    PgConfig c =
        PgConfig.fromEnv(
            Map.of(
                "VIZRELAY_PG_URL",
                "postgresql://viz:inurl@h/db",
                "VIZRELAY_PG_PASSWORD",
                "fromsecret",
                "VIZRELAY_PG_COMMIT",
                "SYNC",
                "VIZRELAY_PG_POOL_SIZE",
                "3"));
    assertEquals("fromsecret", c.password());
    assertEquals(PgConfig.Commit.SYNC, c.commit());
    assertEquals(3, c.poolSize());
  }

  @Test
  void malformedValuesFailNamingTheVariableWithoutThePassword() {
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> PgConfig.fromEnv(Map.of("VIZRELAY_PG_URL", "mysql://u:topsecret@h/db")));
    assertTrue(bad.getMessage().startsWith("VIZRELAY_PG_URL"));
    assertFalse(bad.getMessage().contains("topsecret"), bad.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> PgConfig.fromEnv(Map.of("VIZRELAY_PG_URL", "postgresql://h")));
    assertThrows(
        IllegalArgumentException.class,
        () -> PgConfig.fromEnv(Map.of("VIZRELAY_PG_URL", "postgresql://h:99999/db")));
    IllegalArgumentException mode =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PgConfig.fromEnv(
                    Map.of("VIZRELAY_PG_URL", "postgresql://h/db", "VIZRELAY_PG_COMMIT", "later")));
    assertTrue(mode.getMessage().startsWith("VIZRELAY_PG_COMMIT"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PgConfig.fromEnv(
                Map.of("VIZRELAY_PG_URL", "postgresql://h/db", "VIZRELAY_PG_POOL_SIZE", "0")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PgConfig.fromEnv(
                Map.of(
                    "VIZRELAY_PG_URL", "postgresql://h/db", "VIZRELAY_PG_MAX_LAG_SECONDS", "0")));
  }
}
