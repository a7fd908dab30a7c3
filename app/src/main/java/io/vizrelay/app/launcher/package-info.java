/**
 * {@code vizrelay run}: the launcher that starts a training command in its own process group,
 * registers it as a task, heartbeats, waits on the task's control endpoint and ends the command
 * (SIGTERM, then SIGKILL after the grace period) when the page's Stop asks for it; it reports the
 * command's exit as the task's final status (README "Point a training job at it").
 */
package io.vizrelay.app.launcher;
