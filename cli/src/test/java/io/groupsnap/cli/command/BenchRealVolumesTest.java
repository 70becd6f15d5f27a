package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.groupsnap.agent.volume.loopfs.LoopFs;
import io.groupsnap.cli.Groupsnap;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code groupsnap bench --volume btrfs} in process, for real: one member, two snapshots, on a btrfs the bench makes on
 * a loop device; the figures are printed and, afterwards, none of the bench's file systems is still mounted and none
 * of its images is still attached to a loop device. Needs root, losetup and btrfs-progs: skipped without them, and a
 * failure when {@code GROUPSNAP_CI} is set (CI must never skip it silently).
 */
class BenchRealVolumesTest {
  /** Every directory the bench makes (its data directories, which hold its loop images and mounts) starts so. */
  private static final String BENCH_DIRS = "/groupsnap-bench-";

  @Test
  void benchOnBtrfs_printsFigures_andLeavesNothingMountedOrAttached() throws Exception {
    requireBtrfsOnLoopDevices();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(new String[] {"bench", "--volume", "btrfs", "--members", "1", "--snapshots", "2",
        "--files", "2"}, new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(code).as(err.toString()).isZero();
    String ms = "-?\\d+\\.\\d\\d";
    String pair = " +" + ms + " / " + ms;
    assertThat(out.toString().lines().toList()).satisfiesExactly(
        header -> assertThat(header).contains("members", "floor p50/p99", "window p50/p99"),
        row -> assertThat(row).matches("1 +tls" + pair + pair + " +(\\d+\\.\\d|-)" + pair + pair),
        legend -> assertThat(legend).startsWith("floor: "),
        volumes -> assertThat(volumes).startsWith("volumes: btrfs"));
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).as("mounts left by the bench")
        .noneMatch(line -> line.contains(BENCH_DIRS));
    assertThat(loopBackingFiles()).as("loop devices left attached by the bench")
        .noneMatch(file -> file.contains(BENCH_DIRS));
  }

  @Test
  void withoutRoot_orWithoutTheTools_benchOnARealKind_exitsTwo_withOneLine() {
    Optional<String> missing = LoopFs.missing(LoopFs.Type.EXT4);
    Assumptions.assumeTrue(missing.isPresent(), "this host can make ext4 on loop devices: nothing to refuse");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(new String[] {"bench", "--volume", "fsfreeze", "--members", "1"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("groupsnap: --volume fsfreeze: needs root and ext4 on loop devices: "
        + missing.get() + "\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void anUnknownVolumeKind_exitsTwo() {
    StringWriter err = new StringWriter();
    int code = Groupsnap.run(new String[] {"bench", "--volume", "zfs"}, new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--volume").contains("zfs");
  }

  private static void requireBtrfsOnLoopDevices() {
    Optional<String> missing = LoopFs.missing(LoopFs.Type.BTRFS);
    if (missing.isEmpty()) {
      return;
    }
    String message = "bench --volume btrfs needs btrfs on loop devices: " + missing.get();
    if (System.getenv("GROUPSNAP_CI") != null) {
      fail(message + " (GROUPSNAP_CI is set, so this is a failure, not a skip)");
    }
    Assumptions.abort(message + " — skipped (set GROUPSNAP_CI to make this a failure)");
  }

  /** The backing file of every attached loop device. */
  private static List<String> loopBackingFiles() throws IOException {
    List<String> files = new ArrayList<>();
    try (DirectoryStream<Path> loops = Files.newDirectoryStream(Path.of("/sys/block"), "loop*")) {
      for (Path loop : loops) {
        Path backing = loop.resolve("loop").resolve("backing_file");
        if (Files.exists(backing)) {
          files.add(Files.readString(backing).strip());
        }
      }
    }
    return files;
  }
}
