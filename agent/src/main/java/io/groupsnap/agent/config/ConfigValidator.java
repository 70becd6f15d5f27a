package io.groupsnap.agent.config;

import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.kinds.WriterSetup;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.volume.Holding;
import io.groupsnap.common.Names;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.ZkCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cross-field and file-system checks of an agent's configuration, for configurations read from YAML and built in
 * code alike. It reads the file system and changes nothing. Every error is one line naming the source and the field.
 *
 * <p>Paths are compared after resolving symbolic links (of the longest prefix that exists; a link whose target does
 * not exist yet is followed by its text), so a snapshot root or state directory reached through a link into a volume,
 * or two names for one directory, are found as surely as the plain case.
 */
final class ConfigValidator {
  /** Links followed in one path before giving up, as Linux does (ELOOP). */
  private static final int MAX_LINKS = 40;

  /** Why TLS material is needed: a daemon serves plaintext only when told to, in so many words. */
  static final String TLS_REQUIRED = "required unless insecure: true";
  static final String TLS_AND_INSECURE = "given with insecure: true: plaintext and TLS exclude each other, remove one";
  /**
   * Why ZooKeeper credentials are needed: an agent connects anonymously only when told to. With {@code insecure: true}
   * they may still be given, and are used: a ZooKeeper whose nodes coordinators protect admits no anonymous agent,
   * whatever the agent's own gRPC transport.
   */
  static final String ZOOKEEPER_AUTH_REQUIRED = "required unless insecure: true (zookeeperAuth: FILE, mode 0600, "
      + "holding the line agents:PASSWORD of the coordinators' --zookeeper-auth file)";

  private final String source;

  ConfigValidator(String source) {
    this.source = source;
  }

  /**
   * @param inProcessWriters the volumes of each writer living in the agent's process beside the configured ones (an
   *     empty set: every volume); they hold volumes as configured writers do
   */
  KindSetups validate(AgentConfig config, List<Set<String>> inProcessWriters) throws ConfigException {
    if (config.maxFreezeLease().compareTo(Participant.MIN_LEASE) < 0) {
      throw error("maxFreezeLease", config.maxFreezeLease().toMillis() + "ms is shorter than the shortest lease an "
          + "agent admits (" + Participant.MIN_LEASE.toMillis() + "ms): no group snapshot could ever be prepared");
    }
    try {
      ZkClients.requireSessionTimeout("zookeeperSessionTimeout", config.zookeeperSessionTimeout());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
    if (config.zookeeperAuth() != null) {
      try {
        ZkCredentials.load(config.zookeeperAuth()).require(ZkCredentials.AGENTS, "an agent");
      } catch (CredentialsFileException e) {
        throw error("zookeeperAuth", e.getMessage());
      }
    }
    KindContext context = new KindContext(config.snapshotRoot(), config.stateDir(), CommandRunner.system());
    List<VolumeSetup<?>> volumes = new ArrayList<>();
    List<Path> real = volumes(config, context, volumes);
    layout(config, real);
    List<WriterSetup<?>> writers = writers(config, context);
    holders(config, context, volumes, inProcessWriters);
    ExportsReader.check(source, config.exports(), context.commands());
    transport(config);
    if (config.zookeeperAuth() == null && !config.insecure()) {
      throw error("zookeeperAuth", ZOOKEEPER_AUTH_REQUIRED);
    }
    return new KindSetups(volumes, writers);
  }

  /** Exactly one of TLS files and insecure; each TLS file a readable regular file (its contents are read at start). */
  private void transport(AgentConfig config) throws ConfigException {
    if (config.insecure()) {
      if (config.tls() != null) {
        throw error("tls", TLS_AND_INSECURE);
      }
      return;
    }
    if (config.tls() == null) {
      throw error("tls", TLS_REQUIRED + " (tls: {ca: FILE, cert: FILE, key: FILE}, e.g. from groupsnap certs init)");
    }
    file("tls.ca", config.tls().ca());
    file("tls.cert", config.tls().cert());
    file("tls.key", config.tls().key());
  }

  private void file(String field, Path p) throws ConfigException {
    if (!Files.exists(p)) {
      throw error(field, p + " does not exist");
    }
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw error(field, p + " is not a readable file");
    }
  }

  /** Checks each volume on its own and adds its setup to {@code setups}; returns their paths, links resolved. */
  private List<Path> volumes(AgentConfig config, KindContext context, List<VolumeSetup<?>> setups)
      throws ConfigException {
    Set<String> names = new HashSet<>();
    List<Path> real = new ArrayList<>();
    for (int i = 0; i < config.volumes().size(); i++) {
      VolumeConfig v = config.volumes().get(i);
      String f = "volumes[" + i + "]";
      if (!names.add(v.name())) {
        throw error(f + ".name", "duplicate volume name '" + v.name() + "'");
      }
      Path p = v.path().toAbsolutePath().normalize();
      if (!Files.isDirectory(p)) {
        throw error(f + ".path", p + " is not an existing directory");
      }
      Path r = resolved(f + ".path", p);
      if (!config.volumeRoots().isEmpty() && config.volumeRoots().stream().noneMatch(r::startsWith)) {
        throw error(f + ".path", shown(p, r) + " is outside volumeRoots " + config.volumeRoots());
      }
      real.add(r);
      VolumeKind<?> kind = Kinds.volume(v.kind());
      if (kind == null) {
        throw error(f + ".kind", "unknown volume kind '" + Names.printable(v.kind()) + "' (known: "
            + String.join(", ", Kinds.volumeKinds()) + ")");
      }
      checkOptions(f, v.kind(), v.options().keySet(), kind.options(), kind.options());
      try {
        VolumeSetup<?> setup = VolumeSetup.parse(kind, v);
        setup.validate(context);
        setups.add(setup);
      } catch (KindException e) {
        throw error(f + "." + e.field(), e.getMessage());
      }
    }
    return real;
  }

  /** The snapshot root, the state directory and every volume lie apart, unless volumes may nest (see the kinds). */
  private void layout(AgentConfig config, List<Path> real) throws ConfigException {
    Path root = config.snapshotRoot().toAbsolutePath().normalize();
    Path state = config.stateDir().toAbsolutePath().normalize();
    Path realRoot = resolved("snapshotRoot", root);
    Path realState = resolved("stateDir", state);
    for (int i = 0; i < real.size(); i++) {
      if (overlap(realRoot, real.get(i))) {
        throw error("snapshotRoot", shown(root, realRoot) + " overlaps " + volume(config, real, i)
            + ": a capture would contain itself");
      }
    }
    for (int i = 0; i < real.size(); i++) {
      if (overlap(realState, real.get(i))) {
        throw error("stateDir", shown(state, realState) + " overlaps " + volume(config, real, i)
            + ": the agent's own state must lie outside every volume");
      }
    }
    for (int r = 0; r < config.restoreRoots().size(); r++) {
      Path restore = config.restoreRoots().get(r).toAbsolutePath().normalize();
      Path realRestore = resolved("restoreRoots[" + r + "]", restore);
      for (int i = 0; i < real.size(); i++) {
        if (overlap(realRestore, real.get(i))) {
          throw error("restoreRoots[" + r + "]", shown(restore, realRestore) + " overlaps " + volume(config, real, i)
              + ": a restore must never write into live data");
        }
      }
    }
    for (int j = 1; j < real.size(); j++) {
      VolumeConfig later = config.volumes().get(j);
      String shownLater = shown(later.path().toAbsolutePath().normalize(), real.get(j));
      for (int i = 0; i < j; i++) {
        if (real.get(i).equals(real.get(j))) {
          throw error("volumes[" + j + "].path", shownLater + " is the same directory as " + volume(config, real, i));
        }
        if (overlap(real.get(i), real.get(j)) && !mayNest(config.volumes().get(i), later)) {
          throw error("volumes[" + j + "].path", shownLater + " overlaps " + volume(config, real, i)
              + ": its files would be captured twice");
        }
      }
    }
  }

  private static boolean overlap(Path a, Path b) {
    return a.startsWith(b) || b.startsWith(a);
  }

  private static boolean mayNest(VolumeConfig a, VolumeConfig b) {
    return Kinds.volume(a.kind()).capturesOneFileSystem() && Kinds.volume(b.kind()).capturesOneFileSystem();
  }

  /** "volume NAME, volumes[i].path PATH (really REAL)". */
  private static String volume(AgentConfig config, List<Path> real, int i) {
    VolumeConfig v = config.volumes().get(i);
    return "volume " + v.name() + ", volumes[" + i + "].path " + shown(v.path().toAbsolutePath().normalize(),
        real.get(i));
  }

  private List<WriterSetup<?>> writers(AgentConfig config, KindContext context) throws ConfigException {
    Set<String> volumes = new HashSet<>(config.volumes().stream().map(VolumeConfig::name).toList());
    Set<String> names = new HashSet<>();
    Set<List<String>> claims = new HashSet<>();
    List<WriterSetup<?>> setups = new ArrayList<>();
    for (int i = 0; i < config.writers().size(); i++) {
      WriterConfig w = config.writers().get(i);
      String f = "writers[" + i + "]";
      if (!names.add(w.name())) {
        throw error(f + ".name", "duplicate writer name '" + w.name() + "'");
      }
      for (String vol : w.volumes()) {
        if (!volumes.contains(vol)) {
          throw error(f + ".volumes", "unknown volume '" + vol + "'");
        }
      }
      if (w.timeout().compareTo(config.maxFreezeLease()) >= 0) {
        throw error(f + ".timeout", "must be shorter than maxFreezeLease (" + config.maxFreezeLease().toSeconds()
            + "s): a hold cannot outlast its lease");
      }
      WriterKind<?> kind = Kinds.writer(w.kind());
      if (kind == null) {
        throw error(f + ".kind", "unknown writer kind '" + Names.printable(w.kind()) + "' (known: "
            + String.join(", ", Kinds.writerKinds()) + ")");
      }
      Set<String> taken = new HashSet<>(kind.options());
      taken.addAll(kind.commandFields());
      checkOptions(f, w.kind(), w.options().keySet(), taken, kind.options());
      WriterSetup<?> setup;
      try {
        setup = WriterSetup.parse(kind, w);
      } catch (KindException e) {
        throw error(f + "." + e.field(), e.getMessage());
      }
      Optional<WriterKind.Claim> claim = setup.claim();
      if (claim.isPresent() && !claims.add(List.of(w.kind(), claim.get().key()))) {
        throw error(f + "." + claim.get().field(), claim.get().conflict());
      }
      try {
        setup.validate(context);
      } catch (KindException e) {
        throw error(f + "." + e.field(), e.getMessage());
      }
      setups.add(setup);
    }
    return setups;
  }

  /** What PREPARE would refuse for every transaction: a volume that needs a writer's hold and has none. */
  private void holders(AgentConfig config, KindContext context, List<VolumeSetup<?>> volumes,
      List<Set<String>> inProcessWriters) throws ConfigException {
    List<Set<String>> writers = new ArrayList<>(inProcessWriters);
    config.writers().forEach(w -> writers.add(w.volumes()));
    for (int i = 0; i < volumes.size(); i++) {
      VolumeSetup<?> v = volumes.get(i);
      String unheld = Holding.unheld(v.create(context), writers);
      if (unheld != null) {
        throw error("volumes[" + i + "]", "volume " + v.config().name() + ": " + unheld);
      }
    }
  }

  /**
   * {@code path} with symbolic links resolved: those of its longest existing prefix, and a link whose target does not
   * exist yet by its text, so a directory the agent will create is placed where it will really be.
   */
  private Path resolved(String field, Path path) throws ConfigException {
    Path p = path;
    try {
      for (int links = 0; links <= MAX_LINKS; links++) {
        Path prefix = p;
        while (prefix.getParent() != null && !Files.exists(prefix, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          prefix = prefix.getParent();
        }
        Path rest = prefix.relativize(p);
        if (Files.exists(prefix)) {
          return prefix.toRealPath().resolve(rest);
        }
        Path base = prefix.getParent() == null ? prefix : prefix.getParent().toRealPath();
        p = base.resolve(Files.readSymbolicLink(prefix)).normalize().resolve(rest);
      }
      throw new IOException("too many levels of symbolic links");
    } catch (IOException | RuntimeException e) {
      throw error(field, path + " cannot be resolved: " + Names.printable(String.valueOf(e.getMessage())));
    }
  }

  /** The path as given, and where it really is when a symbolic link leads elsewhere. */
  private static String shown(Path given, Path real) {
    return given + (real.equals(given) ? "" : " (really " + real + ")");
  }

  /**
   * Every option given is one the kind takes.
   *
   * @param known the names listed in the error: those under {@code options:}
   */
  private void checkOptions(String f, String kind, Set<String> given, Set<String> taken, Set<String> known)
      throws ConfigException {
    for (String o : given) {
      if (!taken.contains(o)) {
        throw error(f + ".options." + Names.printable(o), unknownOption(kind, known));
      }
    }
  }

  /** Why an option is refused, listing those the kind takes under {@code options:}. */
  static String unknownOption(String kind, Set<String> known) {
    return "unknown option for kind " + kind + " (known: " + (known.isEmpty() ? "none"
        : String.join(", ", known.stream().sorted().toList())) + ")";
  }

  private ConfigException error(String field, String message) {
    return new ConfigException(source + ": " + field + ": " + message);
  }
}
