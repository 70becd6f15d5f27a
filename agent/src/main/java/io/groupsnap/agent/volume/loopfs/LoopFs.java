package io.groupsnap.agent.volume.loopfs;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real file system on a loop device, for tests and the bench ({@code groupsnap bench --volume btrfs|fsfreeze}); not
 * a volume kind, and the agent daemon never uses it: a sparse image file in a fresh temporary directory, attached with
 * {@code losetup -f --show}, formatted, and mounted on a fresh directory.
 *
 * <p>{@link #close()} undoes everything this instance did, in order, even after failures and even when called on a
 * half-made instance: it thaws ({@code fsfreeze -u}, errors ignored — a process writing to a frozen file system cannot
 * be killed and keeps it busy), unmounts (lazily if something still holds it), detaches <em>its own</em> loop device
 * (only after checking that the device still backs its image: other tests use loop devices at the same time) and
 * deletes the image. It never touches another mount or loop device. Idempotent.
 *
 * <p>Use: {@link #missing} (why this host cannot), then {@link #create} in try-with-resources, as many as needed; tests
 * use it through the agent's test fixture {@code LoopFsExtension}, which skips or fails them. Needs root and
 * {@code losetup}, {@code mount}, {@code umount}, {@code fsfreeze}, the type's {@code mkfs} (and {@code btrfs}).
 */
public final class LoopFs implements AutoCloseable {
  private static final java.time.Duration UNMOUNT_PATIENCE = java.time.Duration.ofSeconds(30);
  private static final long MIB = 1024 * 1024;
  private static final long COMMAND_TIMEOUT_SECONDS = 120;

  /** The file systems a test can ask for, with the smallest image each can be made on. */
  public enum Type {
    EXT4("ext4", 8 * MIB, List.of("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0")),
    /** mkfs.xfs refuses file systems under 300 MB. */
    XFS("xfs", 300 * MIB, List.of("mkfs.xfs", "-q", "-f")),
    BTRFS("btrfs", 128 * MIB, List.of("mkfs.btrfs", "-q", "-f"));

    private final String fsType;
    private final long minSize;
    private final List<String> mkfs;

    Type(String fsType, long minSize, List<String> mkfs) {
      this.fsType = fsType;
      this.minSize = minSize;
      this.mkfs = mkfs;
    }

    /** As the kernel names it ({@code ext4}, {@code xfs}, {@code btrfs}). */
    public String fsType() {
      return fsType;
    }

    /** The smallest image size this fixture accepts for the type. */
    public long minSize() {
      return minSize;
    }

    /** The programs {@link #create} runs for this type, besides {@code losetup}, {@code mount} and the like. */
    public List<String> tools() {
      return this == BTRFS ? List.of(mkfs.get(0), "btrfs") : List.of(mkfs.get(0));
    }
  }

  private final Type type;
  private final Path dir;
  private final Path image;
  private final Path mountPoint;
  private Path device;
  private boolean mounted;
  private boolean closed;

  private LoopFs(Type type, Path dir) {
    this.type = type;
    this.dir = dir;
    this.image = dir.resolve(type.fsType() + ".img");
    this.mountPoint = dir.resolve("mnt");
  }

  /**
   * Makes and mounts a file system of {@code type} on a new image of {@code sizeBytes} (sparse: only what is written
   * takes disk space). Whatever was done is undone when a step fails.
   */
  public static LoopFs create(Type type, long sizeBytes) throws IOException {
    return create(type, sizeBytes, null);
  }

  /**
   * As {@link #create(Type, long)}, with the image and the mount point in a fresh directory under {@code parent} (the
   * default temporary directory when null).
   */
  public static LoopFs create(Type type, long sizeBytes, Path parent) throws IOException {
    if (sizeBytes < type.minSize()) {
      throw new IllegalArgumentException(type + " needs an image of at least " + type.minSize() / MIB + " MiB, not "
          + sizeBytes / MIB + " MiB");
    }
    LoopFs fs = new LoopFs(type, parent == null ? Files.createTempDirectory("groupsnap-loopfs-")
        : Files.createTempDirectory(parent, "groupsnap-loopfs-"));
    try {
      try (RandomAccessFile f = new RandomAccessFile(fs.image.toFile(), "rw")) {
        f.setLength(sizeBytes);
      }
      fs.device = Path.of(run("losetup", "-f", "--show", fs.image.toString()).strip());
      List<String> mkfs = new ArrayList<>(type.mkfs);
      mkfs.add(fs.device.toString());
      run(mkfs.toArray(String[]::new));
      Files.createDirectory(fs.mountPoint);
      run("mount", fs.device.toString(), fs.mountPoint.toString());
      fs.mounted = true;
      return fs;
    } catch (IOException | RuntimeException e) {
      try {
        fs.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  public Type type() {
    return type;
  }

  /** Where the file system is mounted (a fresh directory, removed by {@link #close()}). */
  public Path mountPoint() {
    return mountPoint;
  }

  /** The loop device, e.g. {@code /dev/loop7}. */
  public Path device() {
    return device;
  }

  public Path image() {
    return image;
  }

  /** Creates a btrfs subvolume {@code name} at the root of this btrfs and returns its path. */
  public Path createSubvolume(String name) throws IOException {
    if (type != Type.BTRFS) {
      throw new IllegalStateException("subvolumes exist only on btrfs, this is " + type);
    }
    Path sub = mountPoint.resolve(name);
    run("btrfs", "subvolume", "create", sub.toString());
    return sub;
  }

  /** True when {@code path} is a read-only btrfs subvolume. */
  public static boolean isReadOnlySubvolume(Path path) throws IOException {
    return run("btrfs", "property", "get", "-ts", path.toString(), "ro").strip().equals("ro=true");
  }

  /** Freezes this file system from a separate {@code fsfreeze -f} process (as another program would). */
  public void freezeByAnotherProcess() throws IOException {
    run("fsfreeze", "-f", mountPoint.toString());
  }

  /** Thaws with {@code fsfreeze -u}; false when it was not frozen. */
  public boolean thawByAnotherProcess() {
    try {
      run("fsfreeze", "-u", mountPoint.toString());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Thaws, unmounts, detaches this instance's loop device and deletes the image and its directory. Every step is
   * attempted even when an earlier one failed; the failures are reported together at the end.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    if (mounted) {
      thawByAnotherProcess();
      try {
        unmountRetrying();
      } catch (IOException e) {
        try {
          run("umount", "-l", mountPoint.toString());
          problems.add("unmounted " + mountPoint + " lazily: " + e.getMessage());
        } catch (IOException lazy) {
          problems.add("cannot unmount " + mountPoint + ": " + lazy.getMessage());
        }
      }
    }
    if (device != null) {
      try {
        if (backsOurImage()) {
          run("losetup", "-d", device.toString());
        }
      } catch (IOException e) {
        problems.add("cannot detach " + device + ": " + e.getMessage());
      }
    }
    try {
      Files.deleteIfExists(image);
      Files.deleteIfExists(mountPoint);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      problems.add("cannot delete " + dir + ": " + e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new IOException("cleanup of " + type + " on " + device + ": " + String.join("; ", problems));
    }
  }

  /**
   * Unmounts, retrying for a while when the file system is still busy (a server that has just exited, a process
   * released by a thaw); the last failure after that.
   */
  private void unmountRetrying() throws IOException {
    long deadline = System.nanoTime() + UNMOUNT_PATIENCE.toNanos();
    while (true) {
      try {
        run("umount", mountPoint.toString());
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
  }

  /** Whether {@link #device} is still attached to this instance's image (and not reused by someone else since). */
  private boolean backsOurImage() throws IOException {
    Path backing = Path.of("/sys/block", device.getFileName().toString(), "loop", "backing_file");
    if (!Files.exists(backing)) {
      return false;
    }
    String file = Files.readString(backing).strip().replaceFirst(" \\(deleted\\)$", "");
    return Path.of(file).equals(image.toRealPath());
  }

  @Override
  public String toString() {
    return type.fsType() + " on " + device + " at " + mountPoint;
  }

  /** Why this host cannot make file systems of these types on loop devices, or empty when it can. */
  public static Optional<String> missing(Type... types) {
    String uid = uid();
    if (!"0".equals(uid)) {
      return Optional.of("not running as root (uid " + uid + ")");
    }
    if (!Files.exists(Path.of("/dev/loop-control"))) {
      return Optional.of("no /dev/loop-control: loop devices are not available");
    }
    List<String> tools = new ArrayList<>(List.of("losetup", "mount", "umount", "fsfreeze"));
    Arrays.stream(types).forEach(t -> tools.addAll(t.tools()));
    for (String tool : tools) {
      if (which(tool).isEmpty()) {
        return Optional.of("the " + tool + " program is not installed");
      }
    }
    return Optional.empty();
  }

  private static String uid() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
          .map(l -> l.split("\\s+")[2]).findFirst().orElse("?");
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static Optional<Path> which(String tool) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
    return Arrays.stream(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, tool))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
  }

  /** Runs a command (never through a shell) and returns its output; a failure or timeout is an IOException. */
  public static String run(String... argv) throws IOException {
    List<String> command = new ArrayList<>(List.of(argv));
    // as missing() finds it: also in the sbin directories when PATH leaves them out
    if (!command.get(0).contains("/")) {
      which(command.get(0)).ifPresent(p -> command.set(0, p.toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    CompletableFuture<String> err = drain(p.getErrorStream());
    CompletableFuture<String> out = drain(p.getInputStream());
    try {
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + ": timed out after " + COMMAND_TIMEOUT_SECONDS + "s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", argv) + ": interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + ": exit " + p.exitValue() + ": "
          + err.join().strip().replace('\n', ' '));
    }
    return out.join();
  }

  /** Reads a stream to its end on a thread of its own (the common pool may have a single thread on small hosts). */
  private static CompletableFuture<String> drain(java.io.InputStream in) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (in) {
        text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        text.complete("");
      }
    }, "loopfs-drain");
    t.setDaemon(true);
    t.start();
    return text;
  }
}
