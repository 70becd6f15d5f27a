package io.groupsnap.agent.restore;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.FencedException;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.linux.MountTable;
import io.groupsnap.agent.volume.lvm.LvmInPlace;
import io.groupsnap.agent.volume.lvm.LvmNames;
import io.groupsnap.agent.volume.lvm.LvmVolume;
import io.groupsnap.agent.volume.zfs.ZfsNames;
import io.groupsnap.agent.volume.zfs.ZfsVolume;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.Daemons;
import io.groupsnap.common.FaultPoints;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.MemberRestore;
import io.groupsnap.proto.v1.RestoreState;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.VolumeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's part of in-place restores (docs/protocol.md, "In-place restore"; DESIGN.md G6): StageInPlace checks
 * and stages each volume's capture beside its live data in the background ({@link InPlaceStage}); StepInPlace stops
 * and starts the writers ({@link InPlaceWriters}), switches and switches back ({@link LiveSwitch}), confirms and
 * discards ({@link InPlaceSteps}). Every change is journaled first ({@link InPlaceJournal}); a restarted agent
 * ({@link #recover}) settles a volume caught between the two renames of a switch as the leader's record says:
 * forward from the commit point (SWITCHING) on, back otherwise.
 *
 * <p>A volume whose live data is a directory stages beside it and switches by two renames ({@link VolumeSwitch}); one
 * whose live data is a mount point (fsfreeze, a btrfs or other mount given as the volume) stages inside it and
 * switches entry by entry ({@link MountSwitch}); a zfs volume stages a clone of its capture beside its dataset and
 * switches by renames and a promote ({@link ZfsSwitch}); an lvm volume stages nothing and switches by merging its
 * capture into its logical volume after a thick snapshot, the aside, has kept the replaced data ({@link LvmSwitch}).
 * Refused at the check, before anything is written, with one line naming the volume: a kind that cannot stage beside
 * its live data, a zfs dataset that cannot be switched ({@link io.groupsnap.agent.volume.zfs.ZfsVolume#inPlaceStager}),
 * an lvm capture that cannot be merged in place ({@link LvmVolume#inPlaceStager}), an exec volume without a restore
 * command, and everything a restore to a new place refuses (no kept capture and no export, no room
 * on the live data's file system). Calls are serialised; GetRestore is answered at any time. Thread-safe.
 */
public final class InPlaceRestores implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InPlaceRestores.class);
  private static final Set<String> STAGEABLE = Set.of("dir", "fsfreeze", "btrfs", "exec", "zfs", "lvm");

  /** What the leader's record {@code restores/<id>} says (ZooKeeper in an agent). */
  @FunctionalInterface
  public interface Records {
    /**
     * The record's state; empty when there is no record.
     *
     * @throws Exception when it cannot be read or used (damaged, newer format): nothing is decided on it then
     */
    Optional<InPlaceState> state(String restoreId) throws Exception;
  }

  /** Whether a path is a mount point (a port, so that a test can make one). */
  @FunctionalInterface
  interface MountPoints {
    MountPoints SYSTEM = p -> MountTable.at(p.toRealPath()).isPresent();

    boolean is(Path live) throws IOException;
  }

  private final String agentId;
  private final RestoreManager planner;
  private final EpochFence fence;
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final ExecutorService workers;
  private final InPlaceSteps steps;
  private final Object calls = new Object();
  /** Journaled restores and their stages in this process; guarded by {@code this}. */
  private final Map<String, InPlaceJournal.Entry> entries = new LinkedHashMap<>();
  private final Map<String, InPlaceStage> stages = new HashMap<>();
  private final FaultPoints faults;
  private MountPoints mountPoints = MountPoints.SYSTEM;

  /**
   * @param planner the restores to new places, whose checks a stage shares
   * @param writers this agent's writers (any order: stopped by tier)
   * @param stateDir where the journal lives ({@code in-place/})
   * @param faults where a test may inject faults: {@code agent.in-place-stage} (as each volume's stage starts),
   *     {@code agent.in-place-switch} (as SWITCH starts, past its checks), {@code agent.in-place-between-renames}
   */
  public InPlaceRestores(String agentId, RestoreManager planner, List<Volume> volumes, List<Writer> writers,
      EpochFence fence, Path stateDir, Records records, int concurrency, FaultPoints faults) {
    this(agentId, planner, volumes, writers, fence, stateDir, records, concurrency, faults,
        () -> faults.hit("agent.in-place-between-renames"), CommandRunner.system());
  }

  InPlaceRestores(String agentId, RestoreManager planner, List<Volume> volumes, List<Writer> writers,
      EpochFence fence, Path stateDir, Records records, int concurrency, VolumeSwitch.Between between) {
    this(agentId, planner, volumes, writers, fence, stateDir, records, concurrency, between, CommandRunner.system());
  }

  /** @param zfsCommands what the switches of zfs and lvm volumes run their commands with */
  InPlaceRestores(String agentId, RestoreManager planner, List<Volume> volumes, List<Writer> writers,
      EpochFence fence, Path stateDir, Records records, int concurrency, VolumeSwitch.Between between,
      CommandRunner zfsCommands) {
    this(agentId, planner, volumes, writers, fence, stateDir, records, concurrency, FaultPoints.NONE, between,
        zfsCommands);
  }

  private InPlaceRestores(String agentId, RestoreManager planner, List<Volume> volumes, List<Writer> writers,
      EpochFence fence, Path stateDir, Records records, int concurrency, FaultPoints faults,
      VolumeSwitch.Between between, CommandRunner zfsCommands) {
    this.faults = faults;
    this.agentId = agentId;
    this.planner = planner;
    this.fence = fence;
    volumes.forEach(v -> this.volumes.put(v.name(), v));
    InPlaceJournal journal = new InPlaceJournal(stateDir.resolve("in-place"));
    this.steps = new InPlaceSteps(agentId, journal, new InPlaceWriters(agentId, writers), records, between,
        zfsCommands, () -> faults.hit("agent.in-place-switch"));
    this.workers = Executors.newFixedThreadPool(concurrency, Daemons.named("groupsnap-in-place-" + agentId));
  }

  void mountPoints(MountPoints m) {
    this.mountPoints = m;
  }

  /**
   * At start: reads every journaled restore back and settles each volume left between the two renames of a switch,
   * as the leader's record decides (a record that cannot be read leaves it for the leader's next call). Volumes
   * wholly old or wholly new stay; stages that were running are staged again when asked, or discarded.
   *
   * @return the restores journaled here
   */
  public List<String> recover() throws IOException {
    synchronized (calls) {
      List<InPlaceJournal.Entry> loaded = steps.journal().load();
      synchronized (this) {
        loaded.forEach(e -> entries.put(e.restoreId, e));
      }
      for (InPlaceJournal.Entry e : loaded) {
        log.info("agent {}: in-place restore {} of group snapshot {} was under way (steps {}, writers stopped {})",
            agentId, e.restoreId, e.groupSnapshotId, e.steps, e.stopped);
        steps.settleHalf(e);
      }
      return loaded.stream().map(e -> e.restoreId).toList();
    }
  }

  /**
   * Run before an agent's configuration is checked, from its state directory alone: finishes every switch a crash cut
   * between its two renames (such a volume has no live directory, and the configuration check would refuse to start),
   * in the direction the journal says it was going — forward after SWITCH or CONFIRM (an agent renames forward only
   * once the record is past the commit point), back after SWITCH_BACK or DISCARD. Each volume is then wholly old or
   * wholly new; the leader's next call carries the restore on from there.
   *
   * @return one line per volume settled
   */
  public static List<String> settleInterruptedSwitches(Path stateDir) throws IOException {
    return settleInterruptedSwitches(stateDir, CommandRunner.system());
  }

  /** As {@link #settleInterruptedSwitches(Path)}; zfs and lvm switches run their commands with {@code zfs}. */
  static List<String> settleInterruptedSwitches(Path stateDir, CommandRunner zfs) throws IOException {
    List<String> settled = new java.util.ArrayList<>();
    InPlaceJournal journal = new InPlaceJournal(stateDir.resolve("in-place"));
    for (InPlaceJournal.Entry e : journal.load()) {
      String last = "";
      for (String step : e.steps) {
        if (step.equals("SWITCH") || step.equals("CONFIRM") || step.equals("SWITCH_BACK") || step.equals("DISCARD")) {
          last = step;
        }
      }
      boolean forward = last.equals("SWITCH") || last.equals("CONFIRM");
      for (Map.Entry<String, InPlaceJournal.Vol> v : e.volumes.entrySet()) {
        LiveSwitch sw = InPlaceSteps.switchOf(e, v.getKey(), VolumeSwitch.Between.NOTHING, journal, zfs);
        if (sw.state() != VolumeSwitch.State.HALF) {
          continue;
        }
        if (forward) {
          sw.forward();
        } else {
          sw.back();
        }
        settled.add("volume " + v.getKey() + " was between the renames of in-place restore " + e.restoreId
            + " (last step " + (last.isEmpty() ? "none" : last) + "): settled " + (forward
                ? "forward, on the restored data" : "back, on its previous data") + " at " + v.getValue().live());
      }
    }
    return settled;
  }

  /**
   * StageInPlace: checks every asked volume, then (unless {@code dryRun}) journals the restore and starts staging.
   * Idempotent: asking again answers the stage going on or finished; a restore whose stage a killed agent left
   * unfinished is staged again.
   *
   * @param asked the volumes (targets must be empty); empty: every volume captured here
   * @throws RestoreRefusedException naming the volume and why; nothing was written
   */
  public List<MemberRestore> stage(TxnRef ref, String restoreId, List<VolumeTarget> asked, boolean dryRun)
      throws FencedException, RestoreRefusedException, IOException {
    fence.admit(ref);
    for (VolumeTarget t : asked) {
      if (!t.getTarget().isEmpty()) {
        throw new RestoreRefusedException("volume " + t.getVolume() + ": an in-place restore stages beside the "
            + "live data; no target may be given");
      }
    }
    synchronized (calls) {
      InPlaceJournal.Entry known;
      synchronized (this) {
        known = entries.get(restoreId);
        if (known != null && !known.groupSnapshotId.equals(ref.txnId())) {
          throw new RestoreRefusedException("in-place restore " + restoreId + " restores group snapshot "
              + known.groupSnapshotId + " on agent " + agentId + ", not " + ref.txnId());
        }
        if (known != null && (stages.containsKey(restoreId) || known.steps.size() > 1
            || known.staged.containsAll(known.volumes.keySet()))) {
          return status(restoreId).orElseThrow();
        }
      }
      boolean restaging = known != null; // its own clone, from the stage a killed agent left, may exist
      List<RestorePlan> plans = planner.plan(ref.txnId(), asked, (t, v) -> stagedFor(restoreId, v),
          (v, capture, target) -> v instanceof ZfsVolume z ? z.inPlaceStager(capture, restoreId, restaging)
              : v instanceof LvmVolume l ? l.inPlaceStager(capture, restoreId) : v.restorer(capture, target));
      for (RestorePlan p : plans) {
        if (p.kind().equals("zfs") && p.capture() == null) {
          throw new RestoreRefusedException("volume " + p.volume() + " (kind zfs): its capture is gone from the "
              + "dataset, and an in-place restore clones the kept capture; restore its export to a new place instead");
        }
        if (p.kind().equals("lvm") && p.capture() == null) {
          throw new RestoreRefusedException("volume " + p.volume() + " (kind lvm): its capture is gone from the "
              + "volume group, and an in-place restore merges the kept capture; restore its export to a new place "
              + "instead");
        }
      }
      planner.checkRoom(plans);
      synchronized (this) {
        for (RestorePlan p : plans) {
          for (InPlaceJournal.Entry other : entries.values()) {
            if (!other.restoreId.equals(restoreId) && other.volumes.containsKey(p.volume())) {
              throw new RestoreRefusedException("volume " + p.volume() + " is under in-place restore "
                  + other.restoreId + " on agent " + agentId + " until it is confirmed or discarded");
            }
          }
        }
      }
      InPlaceJournal.Entry e = known;
      if (e == null) {
        Map<String, InPlaceJournal.Vol> vols = new LinkedHashMap<>();
        for (RestorePlan p : plans) {
          Volume v = volumes.get(p.volume());
          Path live = v.path().toAbsolutePath().normalize();
          vols.put(p.volume(), v instanceof ZfsVolume z ? new InPlaceJournal.Vol(p.kind(), live, false, z.dataset())
              : v instanceof LvmVolume l ? new InPlaceJournal.Vol(p.kind(), live, false, null, lvmSpec(l))
              : new InPlaceJournal.Vol(p.kind(), live, isMount(v)));
        }
        e = new InPlaceJournal.Entry(restoreId, ref.txnId(), vols);
      }
      List<MemberRestore> out = new ArrayList<>();
      for (RestorePlan p : plans) {
        boolean done = e.staged.contains(p.volume());
        out.add(MemberRestore.newBuilder().setAgentId(agentId).setVolume(p.volume()).setKind(p.kind())
            .setMethod(p.restorer().method()).setPath(steps.switchOf(e, p.volume()).stagedName())
            .setLive(volumes.get(p.volume()).path().toAbsolutePath().normalize().toString())
            .setBytes(Math.max(0, p.restorer().bytes())).setState(dryRun ? RestoreState.RESTORE_CHECKED
                : done ? RestoreState.RESTORE_DONE : RestoreState.RESTORE_RUNNING)
            .setStartedAtMillis(dryRun ? 0 : System.currentTimeMillis()).build());
      }
      if (dryRun) {
        return out;
      }
      e.did("STAGE");
      steps.journal().save(e); // before anything is written
      InPlaceStage stage = new InPlaceStage(agentId, restoreId, out, () -> faults.hit("agent.in-place-stage"));
      InPlaceJournal.Entry entry = e;
      synchronized (this) {
        entries.put(restoreId, e);
        stages.put(restoreId, stage);
      }
      for (RestorePlan p : plans) {
        if (!e.staged.contains(p.volume())) {
          stage.start(workers, p, p.target(), steps.switchOf(e, p.volume())::clearStage, v -> markStaged(entry, v));
        }
      }
      return stage.status();
    }
  }

  /** The staged sibling of a volume's live data, once the kind and the live data allow an in-place restore. */
  private Path stagedFor(String restoreId, Volume v) throws RestoreRefusedException {
    String kind = v.kind();
    if (kind.equals("lvm") && !(v instanceof LvmVolume)) {
      throw new RestoreRefusedException("volume " + v.name() + " (kind lvm) is no LVM logical volume this agent "
          + "knows: it cannot be restored in place");
    }
    if (kind.equals("zfs") && !(v instanceof ZfsVolume)) {
      throw new RestoreRefusedException("volume " + v.name() + " (kind zfs) is no ZFS dataset this agent knows: it "
          + "cannot be restored in place");
    }
    if (!STAGEABLE.contains(kind)) {
      throw new RestoreRefusedException("volume " + v.name() + " (kind " + kind + ") cannot stage beside its live "
          + "data, so it cannot be restored in place");
    }
    Path live = v.path().toAbsolutePath().normalize();
    if (!Files.isDirectory(live, LinkOption.NOFOLLOW_LINKS)) {
      throw new RestoreRefusedException("volume " + v.name() + ": its live data " + live + " is not a directory");
    }
    if (kind.equals("zfs") || kind.equals("lvm")) {
      return VolumeSwitch.beside(live, restoreId).staged(); // nominal: the checks are ZfsInPlace's, LvmInPlace's
    }
    LiveSwitch sw = InPlaceSteps.paths(live, isMount(v), restoreId);
    if (Files.exists(sw.replaced(), LinkOption.NOFOLLOW_LINKS)) {
      throw new RestoreRefusedException("volume " + v.name() + ": " + sw.replaced() + " already exists (left by "
          + "an earlier restore with this id?); remove it first");
    }
    return sw.staged();
  }

  private static LvmInPlace.Spec lvmSpec(LvmVolume v) throws RestoreRefusedException {
    try {
      return v.inPlaceSpec();
    } catch (IOException e) {
      throw new RestoreRefusedException("volume " + v.name() + ": cannot be restored in place: " + e.getMessage());
    }
  }

  /** Whether {@code v}'s live data is a mount point, switched entry by entry (a port, so that a test can make one). */
  private boolean isMount(Volume v) throws RestoreRefusedException {
    Path live = v.path().toAbsolutePath().normalize();
    try {
      return mountPoints.is(live);
    } catch (IOException e) {
      throw new RestoreRefusedException("volume " + v.name() + ": cannot tell whether " + live + " is a mount "
          + "point: " + e.getMessage());
    }
  }

  private synchronized boolean markStaged(InPlaceJournal.Entry e, String volume) throws IOException {
    if (entries.get(e.restoreId) != e) {
      return false; // discarded meanwhile
    }
    e.staged.add(volume);
    steps.journal().save(e);
    return true;
  }

  /** GetRestore of an in-place restore's stage; empty when this agent knows no such restore. */
  public synchronized Optional<List<MemberRestore>> status(String restoreId) {
    InPlaceStage s = stages.get(restoreId);
    if (s != null) {
      return Optional.of(s.status());
    }
    InPlaceJournal.Entry e = entries.get(restoreId);
    if (e == null) {
      return Optional.empty();
    }
    List<MemberRestore> out = new ArrayList<>(); // known from the journal only: this agent restarted
    e.volumes.forEach((v, vol) -> {
      boolean done = e.staged.contains(v);
      out.add(MemberRestore.newBuilder().setAgentId(agentId).setVolume(v).setKind(vol.kind())
          .setPath(vol.dataset() != null ? ZfsNames.inPlaceStaged(vol.dataset(), restoreId)
              : vol.lvm() != null ? vol.lvm().vg() + "/" + LvmNames.snapshotName(vol.lvm().lv(), e.groupSnapshotId)
              : InPlaceSteps.paths(vol.live(), vol.mount(), restoreId).staged().toString())
          .setState(done ? RestoreState.RESTORE_DONE : RestoreState.RESTORE_FAILED)
          .setError(done ? "" : "the agent restarted during the stage; ask StageInPlace again to stage it anew")
          .build());
    });
    return Optional.of(out);
  }

  /** StepInPlace: one step, done before answering; idempotent (see {@link InPlaceSteps}). */
  public StepInPlaceResponse step(TxnRef ref, String restoreId, InPlaceStep step, boolean restored)
      throws FencedException, RestoreRefusedException {
    fence.admit(ref);
    synchronized (calls) {
      InPlaceJournal.Entry e;
      InPlaceStage stage;
      synchronized (this) {
        e = entries.get(restoreId);
        stage = stages.get(restoreId);
      }
      if (e == null) {
        boolean settled = step == InPlaceStep.DISCARD || step == InPlaceStep.CONFIRM;
        return StepInPlaceResponse.newBuilder().setOk(settled).setError(settled ? "" : "no in-place restore "
            + restoreId + " on agent " + agentId).build();
      }
      if (!e.groupSnapshotId.equals(ref.txnId())) {
        throw new RestoreRefusedException("in-place restore " + restoreId + " restores group snapshot "
            + e.groupSnapshotId + " on agent " + agentId + ", not " + ref.txnId());
      }
      if (step == InPlaceStep.DISCARD && stage != null) {
        stage.cancelAndWait();
      }
      if (step == InPlaceStep.SWITCH && stage != null && stage.busy()) {
        return steps.answer(e, false, "in-place restore " + restoreId + " is still staging on agent " + agentId);
      }
      StepInPlaceResponse r = steps.step(e, ref.epoch(), step, restored);
      if (r.getOk() && (step == InPlaceStep.DISCARD || step == InPlaceStep.CONFIRM)) {
        synchronized (this) {
          entries.remove(restoreId);
          stages.remove(restoreId);
        }
      }
      return r;
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
