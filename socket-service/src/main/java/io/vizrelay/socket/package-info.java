/**
 * The socket service (docs/PROTOCOL.md section 3): one exact stream per browser socket ({@code
 * Session}: snapshot or {@code since}, then live, no gaps, no duplicates, bounded queue), one
 * event-bus consumer per task per node ({@code TaskChannel}: reorder, hold, gap repair, fan-out of
 * one serialized buffer), the browser's commands, and the web page.
 */
package io.vizrelay.socket;
