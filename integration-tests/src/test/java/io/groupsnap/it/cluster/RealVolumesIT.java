package io.groupsnap.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.agent.volume.testing.LoopFsExtension;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.MemberRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group snapshots of real file systems on loop devices, on a multi-host cluster (three agents and their applications
 * in their own network namespaces): a btrfs subvolume captured as a read-only snapshot, an ext4 frozen with FIFREEZE
 * around a copy, and a plain directory, in one consistent cut; and an agent killed while its ext4 is frozen, whose
 * restart thaws it. Needs root, loop devices, btrfs-progs and e2fsprogs: skipped without them, failed under CI.
 */
class RealVolumesIT {
  private static final long MIB = 1024 * 1024;
  @RegisterExtension final ClusterExtension clusters = new ClusterExtension();
  private final List<LoopFs> filesystems = new ArrayList<>();
  private final List<MultiHostCluster> started = new ArrayList<>();

  @BeforeEach
  void requireLoopDevices() {
    LoopFsExtension.require(LoopFs.Type.BTRFS, LoopFs.Type.EXT4);
  }

  /**
   * Runs before the cluster extension tears the cluster down: thaw first (a process writing to a frozen file system
   * cannot be killed), then stop the processes, then unmount and detach.
   */
  @AfterEach
  void releaseFileSystems() throws IOException {
    filesystems.forEach(LoopFs::thawByAnotherProcess);
    started.forEach(MultiHostCluster::close);
    IOException failure = null;
    for (MultiHostCluster c : started) {
      // fsfreeze copies are made immutable; the cluster's files are then removed with the work directory
      try {
        LoopFs.run("chattr", "-R", "-i", c.workDir().toString());
      } catch (IOException e) {
        failure = e;
      }
    }
    for (LoopFs fs : filesystems) {
      try {
        fs.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Test
  void btrfsExt4AndDirVolumes_onThreeAgents_formOneConsistentCut() throws Exception {
    LoopFs btrfs = loop(LoopFs.Type.BTRFS, 256 * MIB);
    LoopFs ext4 = loop(LoopFs.Type.EXT4, 128 * MIB);
    Path subvolume = btrfs.createSubvolume("agent-1-data");
    MultiHostCluster c = start(MultiHostCluster.builder().volumes((i, dir) -> switch (i) {
      case 1 -> new HostVolume("btrfs", subvolume, Map.of(), btrfs.mountPoint().resolve(".groupsnap")
          .resolve(AgentHost.VOLUME));
      case 2 -> new HostVolume("fsfreeze", ext4.mountPoint(), Map.of("capture", "copy"),
          dir.resolve("snapshots").resolve(AgentHost.VOLUME));
      default -> HostVolume.dir(dir);
    }));
    Guarantees guarantees = new Guarantees(c);
    List<GroupSnapshot> taken = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      GroupSnapshot g = c.snapshot();
      assertThat(g.getState()).as("%s: %s (member %s)", g.getId(), g.getAbortReason(), g.getAbortMember())
          .isEqualTo(GroupSnapshotState.COMMITTED);
      assertThat(g.getMembersCount()).isEqualTo(3);
      taken.add(g);
    }
    System.out.println("btrfs + ext4 + dir: " + guarantees.assertAll(Duration.ofSeconds(20)));

    GroupSnapshot last = taken.get(taken.size() - 1);
    Path btrfsCapture = capture(last, "agent-1");
    assertThat(btrfsCapture).startsWith(btrfs.mountPoint()).isDirectory();
    assertThatThrownBy(() -> Files.writeString(btrfsCapture.resolve("intruder"), "x"))
        .as("a btrfs capture is a read-only snapshot").isInstanceOf(IOException.class);
    Path ext4Capture = capture(last, "agent-2");
    assertThat(Files.getFileStore(ext4Capture)).as("the ext4 copy lives off the frozen file system")
        .isNotEqualTo(Files.getFileStore(ext4.mountPoint()));
    System.out.println("freeze window (agents' clocks): " + figures(taken, GroupSnapshot::getFreezeWindowMillis)
        + "; coordinator's window: " + figures(taken, GroupSnapshot::getCoordinatorWindowMillis));
    for (String agent : List.of("agent-1", "agent-2", "agent-3")) {
      System.out.printf("%s capture: %s%n", agent, figures(taken, g -> member(g, agent).getSnapshotMillis()));
    }
  }

  @Test
  void agentKilledWhileItsExt4IsFrozen_isThawedByTheRestartedAgent() throws Exception {
    LoopFs ext4 = loop(LoopFs.Type.EXT4, 128 * MIB);
    MultiHostCluster c = start(MultiHostCluster.builder().volumes((i, dir) -> i == 2
        ? new HostVolume("fsfreeze", ext4.mountPoint(), Map.of("capture", "copy"),
            dir.resolve("snapshots").resolve(AgentHost.VOLUME))
        : HostVolume.dir(dir)));
    Guarantees guarantees = new Guarantees(c);
    HarnessFaultsIT.report("baseline", c.awaitCommitted(CreateGroupSnapshotRequest.getDefaultInstance(),
        Duration.ofSeconds(60)).toString());

    c.failpoints(c.agent(2).agent(), "agent.after-frozen=halt");
    GroupSnapshot aborted = c.snapshot();
    assertThat(aborted.getState()).isEqualTo(GroupSnapshotState.ABORTED);
    await("agent-2 halted while frozen").atMost(Duration.ofSeconds(30)).until(() -> !c.agent(2).agent().isAlive());

    // the file system stays frozen with its agent gone: a write to it does not complete
    CompletableFuture<Long> probe = CompletableFuture.supplyAsync(() -> writeAndSync(ext4.mountPoint()
        .resolve("probe")));
    assertThatThrownBy(() -> probe.get(2, TimeUnit.SECONDS)).as("a write to the frozen ext4")
        .isInstanceOf(TimeoutException.class);

    c.failpoints(c.agent(2).agent(), "");
    long t0 = System.nanoTime();
    c.restartAgent(2);
    long writeMillis = probe.get(30, TimeUnit.SECONDS);
    System.out.printf("frozen ext4 thawed by the restarted agent; the blocked write completed %dms after the restart "
        + "began (the restart waits for the old ZooKeeper session to expire)%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(writeMillis).isPositive();

    GroupSnapshot next = c.snapshot();
    assertThat(next.getState()).as("%s", next.getAbortReason()).isEqualTo(GroupSnapshotState.COMMITTED);
    assertThat(next.getMembersCount()).isEqualTo(3);
    System.out.println("after the restart: " + guarantees.assertAll(Duration.ofSeconds(30)));
  }

  private LoopFs loop(LoopFs.Type type, long size) throws IOException {
    LoopFs fs = LoopFs.create(type, size);
    filesystems.add(fs);
    return fs;
  }

  private MultiHostCluster start(MultiHostCluster.Builder builder) throws Exception {
    MultiHostCluster c = clusters.start(builder);
    started.add(c);
    return c;
  }

  /** Writes and fsyncs a file; returns the epoch millis when it completed. */
  private static long writeAndSync(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("probe\n".getBytes()));
      ch.force(true);
      return System.currentTimeMillis();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static MemberRecord member(GroupSnapshot g, String agent) {
    return g.getMembersList().stream().filter(m -> m.getAgentId().equals(agent)).findFirst().orElseThrow();
  }

  private static Path capture(GroupSnapshot g, String agent) {
    return Path.of(member(g, agent).getSnapshotPath());
  }

  private static String figures(List<GroupSnapshot> gs, ToLongFunction<GroupSnapshot> f) {
    long[] v = gs.stream().mapToLong(f).sorted().toArray();
    return "p50 " + v[v.length / 2] + "ms, max " + v[v.length - 1] + "ms over " + v.length;
  }
}
