package io.vizrelay.taskinfo;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vizrelay.common.audit.AuditLog;
import io.vizrelay.common.auth.AuthGate;
import io.vizrelay.common.auth.Principal;
import io.vizrelay.common.model.TaskRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The audit of the registry's actions on a task (stop, delete, share, unshare): a route step, first
 * on its route, that writes one {@link AuditLog} line when the response ends, with the caller (or
 * {@code -} when unauthenticated), the task, the client address and the outcome of the HTTP status
 * (refusals included). A sharing change is written as what it did: {@code share} with the users
 * added, {@code unshare} with the users removed (both when the list changed both ways).
 */
final class TaskAudit {
  private static final String EVENTS = "vizrelay.audit.events";

  /** One line to write: the event and its detail. */
  private record Line(AuditLog.Event event, String detail) {}

  private final AuthGate gate;

  TaskAudit(AuthGate gate) {
    this.gate = gate;
  }

  /**
   * The route step auditing {@code event} (the default line when the handler records none); a
   * {@link SecurityPolicyHandler} so that it may come before authentication.
   */
  Handler<RoutingContext> step(AuditLog.Event event) {
    SecurityPolicyHandler step =
        ctx -> {
          ctx.addEndHandler(ar -> write(ctx, event));
          ctx.next();
        };
    return step;
  }

  /** Records what a sharing change did, for the line written at the end of the request. */
  static void sharing(RoutingContext ctx, TaskRecord before, TaskRecord after) {
    Set<String> was = new LinkedHashSet<>(before == null ? List.of() : before.sharedWith());
    Set<String> now = new LinkedHashSet<>(after.sharedWith());
    List<String> added = new ArrayList<>(now);
    added.removeAll(was);
    List<String> removed = new ArrayList<>(was);
    removed.removeAll(now);
    List<Line> lines = new ArrayList<>();
    if (!added.isEmpty() || removed.isEmpty()) {
      lines.add(new Line(AuditLog.Event.SHARE, "added=" + String.join(",", added)));
    }
    if (!removed.isEmpty()) {
      lines.add(new Line(AuditLog.Event.UNSHARE, "removed=" + String.join(",", removed)));
    }
    ctx.put(EVENTS, lines);
  }

  private void write(RoutingContext ctx, AuditLog.Event event) {
    Principal p = ctx.get(AuthGate.PRINCIPAL_KEY);
    int status = ctx.response().getStatusCode();
    AuditLog.Outcome outcome = AuditLog.Outcome.ofStatus(status);
    List<Line> lines = ctx.get(EVENTS);
    if (lines == null || outcome != AuditLog.Outcome.SUCCESS) {
      lines = List.of(new Line(event, "status=" + status));
    }
    for (Line line : lines) {
      AuditLog.record(
          line.event(),
          outcome,
          p == null ? null : p.userId(),
          ctx.pathParam("id"),
          gate.clientAddress(ctx.request()),
          line.detail());
    }
  }
}
