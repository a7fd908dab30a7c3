package io.vizrelay.common.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The serialized replay message of each window of one task, kept between snapshots: a window whose
 * {@code contentID} and {@code version} did not change (every change makes a new contentID) is not
 * serialized again, so late joins of an idle task cost a copy, not an encoding. Only windows up to
 * {@link #MAX_CACHED_BYTES} are kept, so big windows are not held twice. Confined to the task's
 * shard thread.
 */
public final class WindowBytesCache {
  /** Largest serialized window kept. */
  public static final int MAX_CACHED_BYTES = 1 << 20;

  /** A cache that keeps nothing. */
  public static final WindowBytesCache NONE = new WindowBytesCache(true);

  private record Entry(String env, String contentId, String version, Buffer bytes) {}

  private final boolean disabled;
  private Map<ObjectNode, Entry> entries = new IdentityHashMap<>();
  private Map<ObjectNode, Entry> seen = new IdentityHashMap<>();

  public WindowBytesCache() {
    this(false);
  }

  private WindowBytesCache(boolean disabled) {
    this.disabled = disabled;
  }

  /** Bytes of the serialized windows held. */
  public long heldBytes() {
    long n = 0;
    for (Entry e : entries.values()) {
      n += e.bytes.length();
    }
    return n;
  }

  Buffer bytes(String env, ObjectNode window, Supplier<Buffer> encode) {
    if (disabled) {
      return encode.get();
    }
    String contentId = window.path("contentID").asText();
    String version = window.path("version").asText();
    Entry e = entries.get(window);
    if (e == null
        || !e.env.equals(env)
        || !e.contentId.equals(contentId)
        || !e.version.equals(version)) {
      Buffer bytes = encode.get();
      e = bytes.length() <= MAX_CACHED_BYTES ? new Entry(env, contentId, version, bytes) : null;
      if (e == null) {
        return bytes;
      }
    }
    seen.put(window, e);
    return e.bytes;
  }

  /**
   * Ends one snapshot: the entries it used are kept; the others (closed windows, or windows of envs
   * this snapshot did not show) are kept too unless the cache grew past twice the task's windows.
   */
  public void endSnapshot(int windowCount) {
    if (disabled) {
      return;
    }
    if (entries.size() + seen.size() <= 2 * windowCount + 16) {
      entries.putAll(seen);
    } else {
      entries = seen;
    }
    seen = new IdentityHashMap<>();
  }
}
