package io.groupsnap.coordinator.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.proto.v1.BackupRun;
import io.groupsnap.proto.v1.ExportState;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.RunState;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention's expiry of a finished run ({@link RunDeletion#expire}) against a real ZooKeeper, its ports scripted. */
@org.junit.jupiter.api.Timeout(60)
class RunDeletionTest {
  static final String ID = "run-20261130-100000-00000a";
  ZkRuns zk;
  ManualLane lane = new ManualLane();
  Fakes.Snapshots snaps = new Fakes.Snapshots();
  Fakes.Exports exports = new Fakes.Exports();
  Leadership.Term term;
  RunDeletion deletion;

  @BeforeEach
  void setUp() throws Exception {
    zk = new ZkRuns();
    term = zk.term("A");
    deletion = new RunDeletion(new RunStore(zk.zk, zk.layout), exports, snaps, lane, lane, "cluster-1", "A");
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  BackupRun completed(String... agents) throws Exception {
    return zk.record(ZkRuns.finished(ID, "db", Instant.parse("2026-11-30T10:00:00Z"), RunState.RUN_COMPLETED,
        agents), term);
  }

  BackupRun expire(boolean local, boolean export) throws Exception {
    CompletableFuture<BackupRun> f = deletion.expire(ID, term, local, export);
    lane.drain();
    return f.join();
  }

  @Test
  void exportOnly_forgetsTheExports_andKeepsTheGroupSnapshotAndTheState() throws Exception {
    completed("a1", "a2");
    BackupRun r = expire(false, true);
    assertThat(exports.forgotten).containsExactly("a1:snap-" + ID + "-a1", "a2:snap-" + ID + "-a2");
    assertThat(snaps.deleted).isEmpty();
    BackupRun stored = zk.find(ID);
    assertThat(stored).isEqualTo(r);
    assertThat(stored.getExportsList()).extracting(MemberExport::getState)
        .containsOnly(ExportState.EXPORT_FORGOTTEN);
    assertThat(stored.getExportDeleted()).isTrue();
    assertThat(stored.getLocalDeleted()).isFalse();
    assertThat(stored.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(stored.getEpoch()).isEqualTo(term.epoch());
  }

  @Test
  void localOnly_deletesTheGroupSnapshot_andKeepsTheStateWhileExportsRemain_thenBothMakeItDeleted()
      throws Exception {
    completed("a1", "a2");
    BackupRun r = expire(true, false);
    assertThat(snaps.deleted).containsExactly("gs-" + ID);
    assertThat(exports.forgotten).isEmpty();
    assertThat(r.getLocalDeleted()).isTrue();
    assertThat(r.getExportDeleted()).isFalse();
    assertThat(r.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(r.getExportsList()).extracting(MemberExport::getState).containsOnly(ExportState.EXPORT_DONE);
    assertThat(zk.find(ID)).isEqualTo(r);

    r = expire(false, true);
    assertThat(exports.forgotten).hasSize(2);
    assertThat(snaps.deleted).hasSize(1);
    assertThat(r.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(zk.find(ID).getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(zk.find(ID).getLocalDeleted()).isTrue();
    assertThat(zk.find(ID).getExportDeleted()).isTrue();
  }

  @Test
  void exportThenLocal_alsoEndsDeleted() throws Exception {
    completed("a1");
    expire(false, true);
    BackupRun r = expire(true, false);
    assertThat(r.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(snaps.deleted).containsExactly("gs-" + ID);
    assertThat(zk.find(ID).getState()).isEqualTo(RunState.RUN_DELETED);
  }

  @Test
  void aRunWithoutExports_isDeletedByLocalExpiry() throws Exception {
    completed();
    BackupRun r = expire(true, false);
    assertThat(r.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(zk.find(ID).getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(snaps.deleted).containsExactly("gs-" + ID);
    assertThat(exports.forgotten).isEmpty();
  }

  @Test
  void aRunNotFinished_isRefused_andLeftAsItIs() throws Exception {
    BackupRun going = zk.record(ZkRuns.finished(ID, "db", Instant.parse("2026-11-30T10:00:00Z"),
        RunState.RUN_EXPORTING, "a1"), term);
    assertThatThrownBy(() -> deletion.expire(ID, term, true, true)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(ID).hasMessageContaining("exporting").hasMessageContaining("only a finished run");
    lane.drain();
    assertThat(zk.find(ID)).isEqualTo(going);
    assertThat(snaps.deleted).isEmpty();
    assertThat(exports.forgotten).isEmpty();
  }

  @Test
  void repeating_isIdempotent() throws Exception {
    completed("a1", "a2");
    BackupRun once = expire(false, true);
    assertThat(expire(false, true)).isEqualTo(once);
    assertThat(zk.find(ID)).isEqualTo(once);
    assertThat(exports.forgotten).hasSize(2);

    BackupRun deleted = expire(true, true);
    assertThat(deleted.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(expire(true, true)).isEqualTo(deleted);
    assertThat(expire(true, false)).isEqualTo(deleted);
    assertThat(zk.find(ID)).isEqualTo(deleted);
    assertThat(snaps.deleted).hasSize(1);
    assertThat(exports.forgotten).hasSize(2);
  }

  @Test
  void aForgetThatFails_leavesExportDeletedFalse_namesTheAgent_andIsFinishedByRunningItAgain() throws Exception {
    completed("a1", "a2");
    exports.unreachable.add("a2");
    CompletableFuture<BackupRun> f = deletion.expire(ID, term, true, true);
    lane.drain();
    assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
        .hasMessageContaining("agent a2").hasMessageContaining("could not forget the exports of backup run " + ID);
    BackupRun stored = zk.find(ID);
    assertThat(stored.getExportDeleted()).isFalse();
    assertThat(stored.getExports(0).getState()).isEqualTo(ExportState.EXPORT_FORGOTTEN);
    assertThat(stored.getExports(1).getState()).isEqualTo(ExportState.EXPORT_DONE);
    assertThat(stored.getLocalDeleted()).isFalse(); // the local step waits for the exports
    assertThat(stored.getState()).isEqualTo(RunState.RUN_COMPLETED);
    assertThat(snaps.deleted).isEmpty();

    exports.unreachable.clear();
    BackupRun r = expire(true, true);
    assertThat(r.getState()).isEqualTo(RunState.RUN_DELETED);
    assertThat(r.getExportDeleted()).isTrue();
    assertThat(snaps.deleted).containsExactly("gs-" + ID);
  }
}
