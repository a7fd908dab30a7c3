package io.vizrelay.common.store.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.util.function.Supplier;

/**
 * A member's refusal of new task writes before they are applied: what stands behind the grid
 * (PostgreSQL written behind, {@code VIZRELAY_PG_COMMIT=async}) installs a reason supplier in the
 * member's user context, and {@link Processors.Apply} answers {@code UNAVAILABLE} (503) without
 * applying anything while it gives a reason. Open when nothing is installed.
 */
public final class WriteGate {
  private static final String KEY = "vizrelay.writeGate";

  private WriteGate() {}

  /** Installs {@code reason} (null = writes accepted) on {@code member}. */
  public static void install(HazelcastInstance member, Supplier<String> reason) {
    member.getUserContext().put(KEY, reason);
  }

  /** Why {@code member} refuses new writes now, or null. */
  static String refusal(HazelcastInstance member) {
    if (member == null) {
      return null;
    }
    Object gate = member.getUserContext().get(KEY);
    return gate instanceof Supplier<?> s ? (String) s.get() : null;
  }
}
