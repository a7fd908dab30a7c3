/**
 * The task registry service (docs/openapi-taskinfo.yaml): the HTTP API, heartbeats, lost detection,
 * stop/control long-poll, sharing, and the two registry tiers behind {@code Registry} (embedded
 * SQLite, Hazelcast grid) applying the same {@code RegistryOp}s.
 */
package io.vizrelay.taskinfo;
