package io.groupsnap.agent.restore;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.volume.lvm.LvmInPlace;
import io.groupsnap.agent.volume.zfs.ZfsInPlace;
import io.groupsnap.proto.v1.InPlaceState;
import io.groupsnap.proto.v1.InPlaceStep;
import io.groupsnap.proto.v1.StepInPlaceResponse;
import io.groupsnap.proto.v1.SwitchState;
import io.groupsnap.proto.v1.VolumeSwitchStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of an in-place restore on one agent, each journaled before it acts and each idempotent: asked again, a
 * step finds its work done (the switch states are read from the paths, the stopped writers from the journal) and
 * answers the same. A step that cannot be done answers {@code ok=false} with one line naming the writer or volume; it
 * never throws for that. Each volume switches as its live data allows ({@link LiveSwitch}). Not thread-safe:
 * {@link InPlaceRestores} serialises its calls.
 *
 * <p>Switching forward needs the leader's record at the commit point (SWITCHING or later): an agent never switches on
 * a restore that a successor leader would cancel, and a half switch found at restart is settled the same way.
 */
final class InPlaceSteps {
  private static final Logger log = LoggerFactory.getLogger(InPlaceSteps.class);
  /** Record states from which the restore only goes forward. */
  private static final Set<InPlaceState> FORWARD = EnumSet.of(InPlaceState.IN_PLACE_SWITCHING,
      InPlaceState.IN_PLACE_STARTING, InPlaceState.IN_PLACE_SWITCHED, InPlaceState.IN_PLACE_CONFIRMED);

  private final String agentId;
  private final InPlaceJournal journal;
  private final InPlaceWriters writers;
  private final InPlaceRestores.Records records;
  private final VolumeSwitch.Between between;
  /** What ZFS and LVM switches run their commands with. */
  private final CommandRunner zfsCommands;
  /** Run as SWITCH starts, past its checks (a test's fault point). */
  private final Runnable switchFault;
  /** The refusal a STOP_WRITERS answered, until another step is asked: a repeat answers it again. */
  private final Map<String, String> refusals = new HashMap<>();

  InPlaceSteps(String agentId, InPlaceJournal journal, InPlaceWriters writers, InPlaceRestores.Records records,
      VolumeSwitch.Between between, CommandRunner zfsCommands, Runnable switchFault) {
    this.switchFault = switchFault;
    this.zfsCommands = zfsCommands;
    this.agentId = agentId;
    this.journal = journal;
    this.writers = writers;
    this.records = records;
    this.between = between;
  }

  InPlaceJournal journal() {
    return journal;
  }

  LiveSwitch switchOf(InPlaceJournal.Entry e, String volume) throws IOException {
    return switchOf(e, volume, between, journal, zfsCommands);
  }

  CommandRunner zfsCommands() {
    return zfsCommands;
  }

  /**
   * The switch of {@code volume} of {@code e}: its dataset's for a ZFS volume, its LV's for an LVM volume (commands
   * run by {@code zfsCommands}, the last merge journaled in {@code e});
   * entry by entry for a mount point, whose plans go into {@code e} and are saved in {@code journal} before its first
   * rename; two renames beside a directory otherwise.
   *
   * @throws IOException when the journal names a dataset that is no valid name
   */
  static LiveSwitch switchOf(InPlaceJournal.Entry e, String volume, VolumeSwitch.Between between,
      InPlaceJournal journal, CommandRunner zfsCommands) throws IOException {
    InPlaceJournal.Vol v = e.volumes.get(volume);
    if (v.lvm() != null) {
      LvmInPlace.Merges merges = new LvmInPlace.Merges() {
        @Override
        public String last() {
          return e.merges.get(volume);
        }

        @Override
        public void started(String merge) throws IOException {
          e.merges.put(volume, merge);
          journal.save(e);
        }
      };
      return new LvmSwitch(LvmInPlace.of(volume, v.lvm(), e.groupSnapshotId, e.restoreId, v.live(), zfsCommands,
          merges, e.steps.contains("CONFIRM")), v.live(), e.restoreId, between);
    }
    if (v.dataset() != null) {
      return new ZfsSwitch(ZfsInPlace.of(volume, v.dataset(), e.restoreId, zfsCommands), v.live(), e.restoreId,
          between);
    }
    if (!v.mount()) {
      return VolumeSwitch.beside(v.live(), e.restoreId, between);
    }
    return MountSwitch.inside(v.live(), e.restoreId, new MountSwitch.Plans() {
      @Override
      public Optional<MountSwitch.Plan> load() {
        return Optional.ofNullable(e.plans.get(volume));
      }

      @Override
      public void save(MountSwitch.Plan p) throws IOException {
        e.plans.put(volume, p);
        journal.save(e);
      }
    }, between);
  }

  /** Where {@code live}'s switch for {@code restoreId} stages and sets aside; for paths and states only. */
  static LiveSwitch paths(Path live, boolean mount, String restoreId) {
    return mount ? MountSwitch.inside(live, restoreId, MountSwitch.Plans.NONE, VolumeSwitch.Between.NOTHING)
        : VolumeSwitch.beside(live, restoreId);
  }

  StepInPlaceResponse step(InPlaceJournal.Entry e, long epoch, InPlaceStep step, boolean restored) {
    if (step != InPlaceStep.STOP_WRITERS) {
      refusals.remove(e.restoreId);
    }
    try {
      return switch (step) {
        case STOP_WRITERS -> stop(e, epoch);
        case SWITCH -> forward(e);
        case START_WRITERS -> {
          String complaints = writers.start(e, epoch, restored, journal::save);
          e.did("START_WRITERS");
          journal.save(e);
          yield answer(e, true, complaints);
        }
        case SWITCH_BACK -> back(e);
        case CONFIRM -> confirm(e, epoch);
        case DISCARD -> discard(e, epoch);
        default -> answer(e, false, "step " + step + " is not a step of an in-place restore");
      };
    } catch (IOException ex) {
      log.warn("agent {}: in-place restore {}: {} failed: {}", agentId, e.restoreId, step, ex.getMessage());
      return answer(e, false, step + " of in-place restore " + e.restoreId + " on agent " + agentId + " failed: "
          + RestoreManager.oneLine(ex.getMessage()));
    }
  }

  private StepInPlaceResponse stop(InPlaceJournal.Entry e, long epoch) throws IOException {
    String refused = refusals.get(e.restoreId);
    if (refused != null) {
      return answer(e, false, refused);
    }
    if (!e.stopComplete) {
      e.did("STOP_WRITERS");
      refused = writers.stop(e, epoch, journal::save);
      if (refused != null) {
        refusals.put(e.restoreId, refused);
        return answer(e, false, refused);
      }
    }
    return answer(e, true, "");
  }

  private StepInPlaceResponse forward(InPlaceJournal.Entry e) throws IOException {
    boolean allNew = true;
    for (String v : e.volumes.keySet()) {
      VolumeSwitch.State s = switchOf(e, v).state();
      allNew &= s == VolumeSwitch.State.NEW;
      if (s == VolumeSwitch.State.OLD && !e.staged.contains(v)) {
        return answer(e, false, "volume " + v + " is not staged on agent " + agentId);
      }
      if (s == VolumeSwitch.State.SETTLED) {
        return answer(e, false, "volume " + v + " has nothing staged on agent " + agentId);
      }
    }
    if (allNew) {
      return answer(e, true, "");
    }
    if (!e.stopComplete) {
      return answer(e, false, "the writers of agent " + agentId + " are not stopped: STOP_WRITERS first");
    }
    Optional<InPlaceState> record;
    try {
      record = records.state(e.restoreId);
    } catch (Exception ex) {
      return answer(e, false, "cannot read the record of in-place restore " + e.restoreId + ": "
          + RestoreManager.oneLine(ex.getMessage()));
    }
    if (record.isEmpty() || !FORWARD.contains(record.get())) {
      return answer(e, false, "the record of in-place restore " + e.restoreId + " is "
          + record.map(Enum::name).orElse("absent") + ", not past the commit point: not switching");
    }
    switchFault.run();
    e.did("SWITCH");
    journal.save(e); // before the first rename
    for (String v : e.volumes.keySet()) {
      LiveSwitch sw = switchOf(e, v);
      sw.forward();
      log.info("agent {}: in-place restore {}: volume {} switched to the restored data at {}", agentId, e.restoreId,
          v, e.volumes.get(v).live());
    }
    return answer(e, true, "");
  }

  private StepInPlaceResponse back(InPlaceJournal.Entry e) throws IOException {
    for (String v : e.volumes.keySet()) {
      if (switchOf(e, v).state() == VolumeSwitch.State.SETTLED) {
        return answer(e, false, "volume " + v + " on agent " + agentId + " cannot be switched back: its previous "
            + "data is gone (confirmed)");
      }
    }
    e.did("SWITCH_BACK");
    journal.save(e);
    for (String v : e.volumes.keySet()) {
      switchOf(e, v).back();
      log.info("agent {}: in-place restore {}: volume {} switched back to its previous data at {}", agentId,
          e.restoreId, v, e.volumes.get(v).live());
    }
    return answer(e, true, "");
  }

  private StepInPlaceResponse confirm(InPlaceJournal.Entry e, long epoch) throws IOException {
    for (String v : e.volumes.keySet()) {
      if (switchOf(e, v).state() == VolumeSwitch.State.OLD) {
        return answer(e, false, "volume " + v + " on agent " + agentId + " was not switched: nothing to confirm");
      }
    }
    e.did("CONFIRM");
    journal.save(e);
    for (String v : e.volumes.keySet()) {
      LiveSwitch sw = switchOf(e, v);
      VolumeSwitch.State s = sw.state();
      if (s == VolumeSwitch.State.HALF) {
        sw.forward(); // confirmed: the record is past the commit point
      }
      if (s != VolumeSwitch.State.SETTLED) {
        sw.confirm();
        log.info("agent {}: in-place restore {}: volume {} confirmed, previous data deleted", agentId, e.restoreId,
            v);
      }
    }
    String complaints = writers.start(e, epoch, true, journal::save);
    journal.forget(e.restoreId);
    return settled(e, complaints);
  }

  private StepInPlaceResponse discard(InPlaceJournal.Entry e, long epoch) throws IOException {
    e.did("DISCARD");
    journal.save(e);
    for (String v : e.volumes.keySet()) {
      LiveSwitch sw = switchOf(e, v);
      VolumeSwitch.State s = sw.state();
      if (s == VolumeSwitch.State.HALF || s == VolumeSwitch.State.NEW) {
        sw.back();
        log.info("agent {}: in-place restore {}: volume {} switched back to its previous data at {}", agentId,
            e.restoreId, v, e.volumes.get(v).live());
      }
    }
    String complaints = writers.start(e, epoch, false, journal::save); // on the previous data
    for (String v : e.volumes.keySet()) {
      LiveSwitch sw = switchOf(e, v);
      if (sw.state() == VolumeSwitch.State.OLD) {
        sw.discardStaged();
        log.info("agent {}: in-place restore {}: volume {} discarded, staged data removed", agentId, e.restoreId, v);
      }
    }
    journal.forget(e.restoreId);
    return settled(e, complaints);
  }

  /**
   * Settles each volume of {@code e} caught between the two renames of a switch or a switch back (a restart): forward
   * when the record is at or past the commit point, back otherwise (no record, or one before SWITCHING, cancelling or
   * rolling back). A record that cannot be read decides nothing: the volume stays for the leader's next call.
   */
  void settleHalf(InPlaceJournal.Entry e) {
    for (String v : e.volumes.keySet()) {
      try {
        LiveSwitch sw = switchOf(e, v);
        if (sw.state() != VolumeSwitch.State.HALF) {
          continue;
        }
        Optional<InPlaceState> record;
        try {
          record = records.state(e.restoreId);
        } catch (Exception ex) {
          log.warn("agent {}: volume {} is between the renames of in-place restore {} and its record cannot be read "
              + "({}); it is left for the leader's next call", agentId, v, e.restoreId, ex.getMessage());
          continue;
        }
        boolean forward = record.isPresent() && FORWARD.contains(record.get());
        if (forward) {
          sw.forward();
        } else {
          sw.back();
        }
        log.info("agent {}: volume {} was between the renames of in-place restore {} (record {}): settled {}",
            agentId, v, e.restoreId, record.map(Enum::name).orElse("absent"), forward ? "forward, on the restored "
                + "data" : "back, on its previous data");
      } catch (IOException ex) {
        log.warn("agent {}: cannot settle volume {} of in-place restore {}: {}", agentId, v, e.restoreId,
            ex.getMessage());
      }
    }
  }

  /** The answer: each volume's switch state as the paths say, and whether writers are held. */
  StepInPlaceResponse answer(InPlaceJournal.Entry e, boolean ok, String error) {
    StepInPlaceResponse.Builder b = StepInPlaceResponse.newBuilder().setOk(ok).setError(error)
        .setWritersStopped(!e.stopped.isEmpty());
    for (String v : e.volumes.keySet()) {
      SwitchState s;
      try {
        s = switch (switchOf(e, v).state()) {
          case OLD -> SwitchState.SWITCH_OLD;
          case HALF -> SwitchState.SWITCH_HALF;
          case NEW -> SwitchState.SWITCH_NEW;
          case SETTLED -> e.steps.contains("SWITCH") ? SwitchState.SWITCH_SETTLED : SwitchState.SWITCH_OLD;
        };
      } catch (IOException ex) {
        s = SwitchState.SWITCH_STATE_UNSPECIFIED;
      }
      b.addVolumes(VolumeSwitchStatus.newBuilder().setVolume(v).setState(s).setLive(e.volumes.get(v).live()
          .toString()));
    }
    return b.build();
  }

  private static StepInPlaceResponse settled(InPlaceJournal.Entry e, String complaints) {
    StepInPlaceResponse.Builder b = StepInPlaceResponse.newBuilder().setOk(true).setError(complaints)
        .setWritersStopped(false);
    e.volumes.forEach((v, vol) -> b.addVolumes(VolumeSwitchStatus.newBuilder().setVolume(v)
        .setState(SwitchState.SWITCH_SETTLED).setLive(vol.live().toString())));
    return b.build();
  }
}
