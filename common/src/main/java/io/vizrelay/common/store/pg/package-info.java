/**
 * PostgreSQL behind the grid (docs/CLUSTER.md "PostgreSQL behind the grid"): configuration from
 * {@code VIZRELAY_PG_*}, the connection pool and Flyway schema, the registry's and the tasks' map
 * stores, and the group-committing stream writer ({@code sync}) or write-behind ({@code async}).
 */
package io.vizrelay.common.store.pg;
