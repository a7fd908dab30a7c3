/**
 * The HTTP front every server shares ({@code HttpFront}): router, error handler, security headers,
 * host check, metrics, {@code /health}, listen; and the WebSocket keep-alive pings.
 */
package io.vizrelay.common.http;
