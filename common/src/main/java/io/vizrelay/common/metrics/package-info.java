/**
 * The process's Prometheus registry and the meters every service shares (docs/METRICS.md): errors
 * by code, HTTP requests and connections, cluster members.
 */
package io.vizrelay.common.metrics;
