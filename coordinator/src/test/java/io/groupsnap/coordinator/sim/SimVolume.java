package io.groupsnap.coordinator.sim;

import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A host's volume: its content is the host's {@link Ledger}; a capture records the ledger as it is at that instant,
 * and whether the application was held for the transaction then. Captures live on the host's disk and survive agent
 * crashes. Like a {@code dir} volume it relies on its writer to stop changes ({@link #freeze} does nothing), and refuses
 * a target that already exists. Checks and captures may fail, as the plan says.
 */
final class SimVolume implements Volume {
  static final String NAME = "data";

  private final World w;
  private final String host;
  private final Ledger ledger;
  private final SimWriter writer;
  private final Map<Path, Ledger.Capture> captures = new TreeMap<>();
  private long mutations;

  SimVolume(World w, String host, Ledger ledger, SimWriter writer) {
    this.w = w;
    this.host = host;
    this.ledger = ledger;
    this.writer = writer;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String kind() {
    return "sim";
  }

  @Override
  public Path path() {
    return Path.of("/sim", host, NAME);
  }

  @Override
  public Path captureTarget(String groupSnapshotId) {
    return root().resolve(groupSnapshotId);
  }

  @Override
  public boolean owns(Path location) {
    return location.startsWith(root()) && !location.equals(root());
  }

  @Override
  public java.util.List<Found> listCaptures() {
    return captures.keySet().stream().map(p -> new Found(p.getFileName().toString(), p, 0L)).toList();
  }

  private Path root() {
    return Path.of("/sim", host, "snapshots", NAME);
  }

  @Override
  public void check(Path target) throws VolumeException {
    if (w.chance(w.plan.volumeCheckFails())) {
      w.stats.fault(SimStats.Fault.VOLUME_CHECK_FAILED);
      throw new VolumeException("volume check failed (simulated)", true);
    }
    if (captures.containsKey(target)) {
      throw new VolumeException("capture " + target + " already exists", false);
    }
  }

  @Override
  public Frozen freeze() {
    return Frozen.NONE;
  }

  @Override
  public Path capture(Path target) throws VolumeException {
    if (w.chance(w.plan.volumeCaptureFails())) {
      w.stats.fault(SimStats.Fault.VOLUME_CAPTURE_FAILED);
      throw new VolumeException("capture failed (simulated)", true);
    }
    if (captures.containsKey(target)) {
      throw new VolumeException("capture " + target + " already exists", false);
    }
    captures.put(target, ledger.capture(writer.holding(target.getFileName().toString())));
    mutations++;
    return target;
  }

  @Override
  public void delete(Path capture) {
    if (captures.remove(capture) != null) {
      mutations++;
    }
  }

  /** The capture at {@code path}, or null. */
  Ledger.Capture capture(String path) {
    return captures.get(Path.of(path));
  }

  /** Every capture's path. */
  Iterable<Path> capturePaths() {
    return captures.keySet();
  }

  /** Grows with every capture made or deleted. */
  long mutations() {
    return mutations;
  }
}
