/**
 * The front proxy of a local cluster ({@code scripts/cluster.sh}, docs/CLUSTER.md): one port
 * spreading HTTP requests and WebSockets over the replicas of the service owning the path. For
 * development only; in no service jar.
 */
package io.vizrelay.devproxy;
