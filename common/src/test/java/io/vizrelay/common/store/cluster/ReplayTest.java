package io.vizrelay.common.store.cluster;

import static io.vizrelay.common.store.StoreFixtures.append;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vizrelay.common.visdom.Limits;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The backup's replay driven directly on map entries (no grid): in-step frames apply, and a frame
 * that cannot apply or arrives after a gap leaves the replica marked diverged instead of appended
 * to; a diverged replica promoted to primary starts its stream over in a new epoch.
 */
class ReplayTest {
  static final String TASK = "alice-replay";
  static final Retention RETENTION = Retention.of(1000, 0);

  final Map.Entry<String, StoredTask> primary = new AbstractMap.SimpleEntry<>(TASK, null);
  final Map.Entry<String, StoredTask> backup = new AbstractMap.SimpleEntry<>(TASK, null);

  @Test
  void inStepFramesApplyOnTheBackupAsOnThePrimary() {
    for (int i = 0; i < 3; i++) {
      replicate(apply("r" + i, i));
    }
    assertEquals(3, backup.getValue().lastSeq);
    assertEquals(primary.getValue().epoch, backup.getValue().epoch);
    assertEquals(primary.getValue().state.toJson(), backup.getValue().state.toJson());
    assertFalse(backup.getValue().diverged);
  }

  @Test
  void aFrameThatCannotApplyMarksTheReplicaDivergedAndIsNotAppended() {
    replicate(apply("r0", 0));
    Results.Apply second = apply("r1", 1);
    RingFrame f = second.frames.get(0);
    RingFrame broken =
        new RingFrame(
            f.seq(), f.env(), "{broken".getBytes(StandardCharsets.UTF_8), f.compact(), f.atMs());
    new Processors.Replay<Void>(second.epoch, "r1", null, List.of(broken), RETENTION)
        .process(backup);
    StoredTask replica = backup.getValue();
    assertTrue(
        replica.diverged, "a replica that could not apply a frame does not pretend to be in step");
    assertEquals(1, replica.lastSeq, "the frame it could not apply is not in its ring");
    assertEquals(1, replica.ring.size());

    replicate(apply("r2", 2));
    assertEquals(
        1,
        backup.getValue().lastSeq,
        "later replays leave a diverged replica alone until its resync");
    assertSame(replica, backup.getValue());

    new Processors.Overwrite<Void>(primary.getValue()).process(backup);
    assertFalse(backup.getValue().diverged, "the primary's whole task replaces it");
    assertEquals(3, backup.getValue().lastSeq);
  }

  @Test
  void aGapBeforeTheNextFrameMarksTheReplicaDiverged() {
    replicate(apply("r0", 0));
    apply("r1", 1); // its replay is lost
    replicate(apply("r2", 2));
    assertTrue(backup.getValue().diverged, "seq 3 after seq 1: the replica missed a frame");
    assertEquals(1, backup.getValue().lastSeq);
  }

  @Test
  void aDivergedReplicaPromotedToPrimaryStartsANewEpochFromItsState() {
    replicate(apply("r0", 0));
    StoredTask diverged = backup.getValue();
    diverged.diverged = true;
    String oldEpoch = diverged.epoch;

    Processors.Apply next =
        new Processors.Apply("r1", CommandCodec.encode(append(1)), Limits.DEFAULTS, RETENTION);
    Results.Apply result = next.process(backup);
    assertNotEquals(
        oldEpoch,
        result.epoch,
        "browsers re-sync from a snapshot instead of resuming wrong frames");
    assertEquals(1, result.frames.get(0).seq());
    assertFalse(backup.getValue().diverged);
    assertEquals(1, backup.getValue().state.windowCount(), "the window it had is kept");
    assertInstanceOf(
        Processors.Overwrite.class,
        next.getBackupProcessor(),
        "its own backups get the whole new task");
  }

  private Results.Apply apply(String requestId, double x) {
    Processors.Apply a =
        new Processors.Apply(requestId, CommandCodec.encode(append(x)), Limits.DEFAULTS, RETENTION);
    Results.Apply result = a.process(primary);
    lastBackup = a.getBackupProcessor();
    return result;
  }

  private com.hazelcast.map.EntryProcessor<String, StoredTask, Results.Apply> lastBackup;

  private void replicate(Results.Apply ignored) {
    lastBackup.process(backup);
  }
}
