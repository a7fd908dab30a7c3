/**
 * The embedded tier of {@code TaskStore} (docs/ARCHITECTURE.md): task state in memory on shard
 * threads (serial per task, parallel across tasks), every frame in a SQLite write-ahead log before
 * the reply (group commit), snapshots that bound restart time.
 */
package io.vizrelay.common.store.embedded;
