/**
 * Configuration, read once from environment variables through {@code EnvVars}, each key with a
 * documented default (README "Configuration"): the server's ({@code VizConfig}), authentication's
 * ({@code AuthConfig}) and the HTTP server options derived from them.
 */
package io.vizrelay.common.config;
