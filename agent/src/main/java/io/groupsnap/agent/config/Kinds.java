package io.groupsnap.agent.config;

import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.volume.btrfs.BtrfsVolume;
import io.groupsnap.agent.volume.dir.DirVolume;
import io.groupsnap.agent.volume.exec.ExecVolume;
import io.groupsnap.agent.volume.fsfreeze.FsfreezeVolume;
import io.groupsnap.agent.volume.lvm.LvmVolume;
import io.groupsnap.agent.volume.zfs.ZfsVolume;
import io.groupsnap.agent.writer.cgroup.CgroupWriter;
import io.groupsnap.agent.writer.exec.ExecWriter;
import io.groupsnap.agent.writer.grpc.GrpcWriter;
import io.groupsnap.agent.writer.postgres.PostgresWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every volume and writer kind the agent knows, by name. */
public final class Kinds {
  private static final Map<String, VolumeKind> VOLUMES = index(List.of(
      DirVolume.KIND,
      LvmVolume.KIND,
      ZfsVolume.KIND,
      ExecVolume.KIND,
      BtrfsVolume.KIND,
      FsfreezeVolume.KIND), VolumeKind::name);
  private static final Map<String, WriterKind> WRITERS = index(List.of(
      ExecWriter.KIND,
      GrpcWriter.KIND,
      PostgresWriter.KIND,
      CgroupWriter.KIND), WriterKind::name);

  private Kinds() {}

  public static VolumeKind volume(String name) {
    return VOLUMES.get(name);
  }

  public static WriterKind writer(String name) {
    return WRITERS.get(name);
  }

  public static java.util.Set<String> volumeKinds() {
    return VOLUMES.keySet();
  }

  public static java.util.Set<String> writerKinds() {
    return WRITERS.keySet();
  }

  private static <T> Map<String, T> index(List<T> kinds, Function<T, String> name) {
    return kinds.stream().collect(Collectors.toMap(name, k -> k, (a, b) -> {
      throw new IllegalStateException("two kinds named " + name.apply(a));
    }, TreeMap::new));
  }
}
