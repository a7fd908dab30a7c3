/**
 * Typed records of the task registry that cross the wire and the event bus: a task, its kind and
 * status, status changes and the batched "tasks seen" heartbeats.
 */
package io.vizrelay.common.model;
