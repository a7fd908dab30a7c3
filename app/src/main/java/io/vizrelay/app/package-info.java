/**
 * The embedded default: the three services (ingest, socket, taskinfo) on one HTTP server and one
 * embedded store in one process ({@code app/target/vizrelay.jar}, {@link io.vizrelay.app.Main}),
 * the demo training job and the users/API-keys command line. Owns nothing of the services' rules;
 * it only wires them.
 */
package io.vizrelay.app;
