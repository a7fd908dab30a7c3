/**
 * The cluster tier of {@code TaskStore} (docs/CLUSTER.md): each task one entry of the Hazelcast map
 * {@code vizrelay.tasks}, changed only by entry processors on its partition owner; the backup
 * replays the resulting frames and is resynchronized from the primary when it cannot ({@code
 * ReplicaRepair}). A ring of recent frames per task serves {@code since}.
 */
package io.vizrelay.common.store.cluster;
