/**
 * The cluster tier of the task registry: the Hazelcast map {@code vizrelay.registry}, its
 * configuration and the entry processors that apply {@code RegistryOp}s on a task's partition owner
 * (docs/CLUSTER.md "The task registry in the grid").
 */
package io.vizrelay.common.registry.grid;
