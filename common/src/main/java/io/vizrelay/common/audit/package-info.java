/**
 * The audit log (issue 18): who signed in or failed to, and who stopped, shared, unshared or
 * deleted which task, from which address, with what outcome, as structured log lines on the logger
 * {@value io.vizrelay.common.audit.AuditLog#LOGGER}.
 */
package io.vizrelay.common.audit;
