package io.vizrelay.common.store.pg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's connection to the PostgreSQL tier: a HikariCP pool of {@link PgConfig#poolSize}
 * connections, and the schema brought to the current version by Flyway at start-up.
 *
 * <p>Every member migrates at start; Flyway takes a PostgreSQL advisory lock around a migration, so
 * when several members start at once one applies the pending versions and the others find them
 * applied. Every call here blocks: it runs on Hazelcast's partition or store threads or on the
 * writer's own thread, never on an event loop.
 */
public final class PgDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgDatabase.class);

  /** Where the migrations are on the class path. */
  static final String MIGRATIONS = "classpath:io/vizrelay/common/store/pg/migration";

  /** Flyway's history table (not its default name, so the database can be shared). */
  static final String HISTORY = "vizrelay_schema_history";

  private final PgConfig config;
  private final HikariDataSource pool;

  private PgDatabase(PgConfig config, HikariDataSource pool) {
    this.config = config;
    this.pool = pool;
  }

  /** Opens the pool and migrates the schema; fails when the database cannot be reached. */
  public static PgDatabase open(PgConfig config) {
    HikariDataSource pool = new HikariDataSource(hikari(config));
    try {
      MigrateResult result =
          Flyway.configure()
              .dataSource(pool)
              .locations(MIGRATIONS)
              .table(HISTORY)
              .baselineOnMigrate(false)
              .load()
              .migrate();
      LOG.info(
          "PostgreSQL tier {}: schema at version {} ({} migration(s) applied now)",
          config.describe(),
          result.targetSchemaVersion,
          result.migrationsExecuted);
      return new PgDatabase(config, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static HikariConfig hikari(PgConfig config) {
    HikariConfig h = new HikariConfig();
    h.setPoolName("vizrelay-pg");
    h.setJdbcUrl(config.jdbcUrl());
    h.setUsername(config.user());
    h.setPassword(config.password());
    h.setMaximumPoolSize(config.poolSize());
    h.setMinimumIdle(Math.min(2, config.poolSize()));
    h.setConnectionTimeout(config.connectTimeoutSeconds() * 1000L);
    // a dead server must not hold a partition thread for the OS's TCP timeout
    h.addDataSourceProperty("connectTimeout", Integer.toString(config.connectTimeoutSeconds()));
    h.addDataSourceProperty("socketTimeout", "30");
    h.addDataSourceProperty("tcpKeepAlive", "true");
    h.addDataSourceProperty("ApplicationName", "vizrelay");
    // start even when the database is briefly away: the first real use fails instead
    h.setInitializationFailTimeout(-1);
    return h;
  }

  public PgConfig config() {
    return config;
  }

  public DataSource dataSource() {
    return pool;
  }

  /** A pooled connection (blocks up to the connect timeout; throws when the database is away). */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void close() {
    pool.close();
  }
}
