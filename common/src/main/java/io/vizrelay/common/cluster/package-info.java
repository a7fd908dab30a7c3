/**
 * A clustered node (docs/CLUSTER.md): its configuration from the environment ({@code
 * ClusterConfig}), the Hazelcast settings made from it ({@code HazelcastSetup}), the node's wiring
 * of Vert.x, store, HTTP server and services ({@code ClusterNode}), its drain on SIGTERM ({@code
 * NodeDrain}) and the process main every service jar runs ({@code ServiceProcess}).
 */
package io.vizrelay.common.cluster;
