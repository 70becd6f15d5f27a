package io.groupsnap.cli.doctor;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import io.groupsnap.common.GroupSnapshotIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Each configured volume checked as the agent checks it, by the kind's own code rather than a second list of tools:
 * the load-time checks ({@code VolumeKind.validate}: a btrfs subvolume, an fsfreeze mount point, the snapshot method's
 * tool) and then the checks PREPARE makes before every capture ({@code Volume.check}: the LVM or ZFS tools and kernel
 * support, the dataset or volume group, room for a copy). Nothing is frozen or captured; like PREPARE, the check may
 * create the volume's empty capture directory and, for an exec volume, runs its {@code check} command.
 */
final class VolumeChecks {
  /** Kinds that cannot capture without {@code CAP_SYS_ADMIN}, and why. */
  private static final Map<String, String> PRIVILEGED = Map.of(
      "fsfreeze", "FIFREEZE needs CAP_SYS_ADMIN",
      "lvm", "lvcreate needs root for device-mapper");
  /** Kinds that usually need root but can be delegated. */
  private static final Map<String, String> USUALLY_PRIVILEGED = Map.of(
      "zfs", "zfs snapshot needs root unless delegated with zfs allow");

  private final HostProbe host;

  VolumeChecks(HostProbe host) {
    this.host = host;
  }

  List<Finding> check(AgentConfig config) {
    KindContext context = new KindContext(config.snapshotRoot(), config.stateDir(), host.commands());
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < config.volumes().size(); i++) {
      out.add(volume(config.volumes().get(i), "volumes[" + i + "]", context));
    }
    out.add(privileges(config));
    return out;
  }

  private Finding volume(VolumeConfig v, String field, KindContext context) {
    String subject = v.name() + " (" + v.kind() + ")";
    Path p = v.path().toAbsolutePath().normalize();
    if (!Files.isDirectory(p)) {
      return Finding.fail("volume", subject, field + ".path: " + p + " is not an existing directory");
    }
    Volume volume;
    try {
      VolumeSetup<?> setup = Kinds.setUp(v);
      setup.validate(context);
      volume = setup.create(context);
    } catch (KindException e) {
      return Finding.fail("volume", subject, field + "." + e.field() + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return Finding.fail("volume", subject, field + ".kind: " + e.getMessage());
    }
    String probeId = GroupSnapshotIds.mint(Instant.now(), new SecureRandom());
    try {
      volume.check(volume.captureTarget(probeId));
    } catch (VolumeException e) {
      return e.retryable() ? Finding.warn("volume", subject, e.getMessage())
          : Finding.fail("volume", subject, e.getMessage());
    } catch (RuntimeException e) {
      return Finding.fail("volume", subject, "cannot be checked: " + e.getMessage());
    }
    return Finding.ok("volume", subject, p + ": the kind's load and PREPARE checks pass");
  }

  /** Whether this process may capture the kinds configured; run {@code doctor} as the agent's user. */
  private Finding privileges(AgentConfig config) {
    Set<String> kinds = new TreeSet<>();
    config.volumes().forEach(v -> kinds.add(v.kind()));
    boolean admin = host.hasSysAdmin();
    String who = admin ? "CAP_SYS_ADMIN held" : "not root and without CAP_SYS_ADMIN";
    for (String kind : kinds) {
      if (!admin && PRIVILEGED.containsKey(kind)) {
        return Finding.fail("privilege", "kind " + kind, who + ": " + PRIVILEGED.get(kind) + "; run the agent as root");
      }
    }
    for (String kind : kinds) {
      if (!admin && USUALLY_PRIVILEGED.containsKey(kind)) {
        return Finding.warn("privilege", "kind " + kind, who + ": " + USUALLY_PRIVILEGED.get(kind));
      }
    }
    return Finding.ok("privilege", "kinds " + String.join(", ", kinds), admin ? who
        : who + ": none of the configured kinds needs it");
  }
}
