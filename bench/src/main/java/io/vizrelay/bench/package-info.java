/**
 * Load generator and benchmarks ({@code bench/target/vizrelay-bench.jar}, BENCHMARKS.md): starts
 * the real server jar (or a loopback cluster of the service jars) as child processes and prints
 * ingest, relay, late-join, idle-socket, restart and registry figures. Never shipped in a server
 * jar; talks to the server only over HTTP and WebSockets.
 */
package io.vizrelay.bench;
