/**
 * The ingest service (docs/PROTOCOL.md section 2): the visdom client's HTTP API in the three
 * task-addressing modes, decoded into typed {@code VisdomCommand}s and applied through the {@code
 * TaskStore}; the Python client's {@code /vis_socket}; heartbeats of seen tasks to taskinfo.
 */
package io.vizrelay.ingest;
