package io.groupsnap.agent.config;

import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.kinds.VolumeSetup;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.kinds.WriterSetup;
import io.groupsnap.agent.volume.btrfs.BtrfsVolumeKind;
import io.groupsnap.agent.volume.dir.DirVolumeKind;
import io.groupsnap.agent.volume.exec.ExecVolumeKind;
import io.groupsnap.agent.volume.fsfreeze.FsfreezeVolumeKind;
import io.groupsnap.agent.volume.lvm.LvmVolumeKind;
import io.groupsnap.agent.volume.zfs.ZfsVolumeKind;
import io.groupsnap.agent.writer.cgroup.CgroupWriterKind;
import io.groupsnap.agent.writer.exec.ExecWriterKind;
import io.groupsnap.agent.writer.grpc.GrpcWriterKind;
import io.groupsnap.agent.writer.postgres.PostgresWriterKind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every volume and writer kind the agent knows, by name: the one place a new kind is added. Immutable.
 */
public final class Kinds {
  private static final Map<String, VolumeKind<?>> VOLUMES = index(List.of(
      new DirVolumeKind(),
      new LvmVolumeKind(),
      new ZfsVolumeKind(),
      new ExecVolumeKind(),
      new BtrfsVolumeKind(),
      new FsfreezeVolumeKind()), VolumeKind::name);
  private static final Map<String, WriterKind<?>> WRITERS = index(List.of(
      new ExecWriterKind(),
      new GrpcWriterKind(),
      new PostgresWriterKind(),
      new CgroupWriterKind()), WriterKind::name);

  private Kinds() {}

  /** The kind named {@code name}, or null. */
  public static VolumeKind<?> volume(String name) {
    return VOLUMES.get(name);
  }

  /** The kind named {@code name}, or null. */
  public static WriterKind<?> writer(String name) {
    return WRITERS.get(name);
  }

  public static Set<String> volumeKinds() {
    return VOLUMES.keySet();
  }

  public static Set<String> writerKinds() {
    return WRITERS.keySet();
  }

  /** The writer fields some kind takes as options ({@link WriterKind#commandFields()}), sorted. */
  public static Set<String> commandFields() {
    Set<String> all = new TreeSet<>();
    WRITERS.values().forEach(k -> all.addAll(k.commandFields()));
    return all;
  }

  /** The kinds that take {@code field} as one of their options, sorted by name. */
  public static List<String> takingCommandField(String field) {
    return WRITERS.values().stream().filter(k -> k.commandFields().contains(field)).map(WriterKind::name).toList();
  }

  /**
   * Reads {@code volume}'s options with the kind it names, as validation does (for tools and tests; an agent takes its
   * setups from {@link ConfigLoader#validate}).
   *
   * @throws IllegalArgumentException when no kind has that name
   */
  public static VolumeSetup<?> setUp(VolumeConfig volume) throws KindException {
    VolumeKind<?> kind = volume(volume.kind());
    if (kind == null) {
      throw new IllegalArgumentException("unknown volume kind " + volume.kind());
    }
    return VolumeSetup.parse(kind, volume);
  }

  /** As {@link #setUp(VolumeConfig)}, for a writer. */
  public static WriterSetup<?> setUp(WriterConfig writer) throws KindException {
    WriterKind<?> kind = writer(writer.kind());
    if (kind == null) {
      throw new IllegalArgumentException("unknown writer kind " + writer.kind());
    }
    return WriterSetup.parse(kind, writer);
  }

  private static <T> Map<String, T> index(List<T> kinds, Function<T, String> name) {
    return kinds.stream().collect(Collectors.toMap(name, k -> k, (a, b) -> {
      throw new IllegalStateException("two kinds named " + name.apply(a));
    }, TreeMap::new));
  }
}
