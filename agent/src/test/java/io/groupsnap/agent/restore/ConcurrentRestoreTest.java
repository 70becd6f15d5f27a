package io.groupsnap.agent.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Restorer;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.proto.v1.LocalSnapshot;
import io.groupsnap.proto.v1.LocalSnapshotState;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore in progress keeps its target and its capture to itself. */
class ConcurrentRestoreTest {
  static final String CLUSTER = RestoreManagerTest.CLUSTER;

  @TempDir Path tmp;

  /** A dir volume whose restores wait for {@link #release}, so a test can act while one runs. */
  static final class HeldVolume implements Volume {
    final DirVolume inner;
    final CountDownLatch release = new CountDownLatch(1);

    HeldVolume(DirVolume inner) {
      this.inner = inner;
    }

    @Override
    public Restorer restorer(Path capture, Path target) throws VolumeException {
      Restorer r = inner.restorer(capture, target);
      return new Restorer() {
        @Override
        public String method() {
          return r.method();
        }

        @Override
        public long bytesNeeded() {
          return r.bytesNeeded();
        }

        @Override
        public long bytes() {
          return r.bytes();
        }

        @Override
        public String materialize(Path t) throws VolumeException {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return r.materialize(t);
        }
      };
    }

    // the rest as the dir volume
    @Override public String name() { return inner.name(); }
    @Override public String kind() { return inner.kind(); }
    @Override public Path path() { return inner.path(); }
    @Override public Path captureTarget(String id) { return inner.captureTarget(id); }
    @Override public boolean owns(Path l) { return inner.owns(l); }
    @Override public void check(Path t) throws VolumeException { inner.check(t); }
    @Override public Frozen freeze() { return inner.freeze(); }
    @Override public Path capture(Path t) throws VolumeException { return inner.capture(t); }
    @Override public void delete(Path c) throws IOException { inner.delete(c); }
    @Override public List<Found> listCaptures() throws IOException { return inner.listCaptures(); }
  }

  @Test
  void aSecondRestoreOfTheSameTargetOrCapture_isRefusedWhileTheFirstRuns() throws Exception {
    Path live = Files.createDirectories(tmp.resolve("live"));
    Files.writeString(live.resolve("f"), "data");
    HeldVolume v = new HeldVolume(new DirVolume("db", live, tmp.resolve("snaps")));
    SnapshotCatalog catalog = SnapshotCatalog.inMemory();
    Path c = v.capture(v.captureTarget("gs-1"));
    catalog.put(LocalSnapshot.newBuilder().setGroupSnapshotId("gs-1").setVolume("db").setPath(c.toString())
        .setState(LocalSnapshotState.LOCAL_KEPT).build());
    Path roots = tmp.resolve("restores");
    TxnRef ref = new TxnRef(CLUSTER, 1, "gs-1");
    try (RestoreManager m = new RestoreManager("a1", List.of(v), catalog,
        new EpochFence(EpochFence.Store.inMemory(), CLUSTER), new RestoreTargets(List.of(roots), List.of(v)),
        RestoreManager.FreeSpace.SYSTEM, 2, Clock.systemUTC())) {
      Path target = roots.resolve("one");
      m.start(ref, "r1", List.of(VolumeTarget.newBuilder().setVolume("db").setTarget(target.toString()).build()),
          false);
      assertThatThrownBy(() -> m.start(ref, "r2", List.of(VolumeTarget.newBuilder().setVolume("db")
          .setTarget(roots.resolve("two").toString()).build()), false))
          .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("being restored by another restore");
      assertThat(roots.resolve("two")).doesNotExist();
      assertThat(m.status("r2")).isEmpty();

      v.release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> m.status("r1").orElseThrow().get(0).getState(),
          s -> s == RestoreState.RESTORE_DONE);
      assertThat(target.resolve("f")).hasContent("data");
      // once finished, the capture may be restored again elsewhere
      m.start(ref, "r3", List.of(VolumeTarget.newBuilder().setVolume("db")
          .setTarget(roots.resolve("three").toString()).build()), false);
      await().atMost(Duration.ofSeconds(30)).until(() -> m.status("r3").orElseThrow().get(0).getState(),
          s -> s == RestoreState.RESTORE_DONE);
    }
  }
}
