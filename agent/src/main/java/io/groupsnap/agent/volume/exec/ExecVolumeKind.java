package io.groupsnap.agent.volume.exec;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.VolumeKind;
import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.agent.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Kind {@code exec} of volumes: see {@link ExecVolume}. At load, every command must be an executable file. */
public final class ExecVolumeKind implements VolumeKind<ExecVolumeOptions> {
  @Override
  public String name() {
    return "exec";
  }

  @Override
  public Set<String> options() {
    return ExecVolumeOptions.NAMES;
  }

  @Override
  public ExecVolumeOptions parse(VolumeConfig v) throws KindException {
    return ExecVolumeOptions.parse(KindOptions.of(v));
  }

  @Override
  public void validate(VolumeConfig v, ExecVolumeOptions options, KindContext context) throws KindException {
    for (Map.Entry<String, ArgvTemplate> t : options.commands().entrySet()) {
      Path exe = t.getValue().command();
      if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
        throw new KindException(KindOptions.field(t.getKey()), "command " + exe
            + " does not exist or is not executable");
      }
    }
  }

  @Override
  public Volume create(VolumeConfig v, ExecVolumeOptions options, KindContext context) {
    return new ExecVolume(v.name(), v.path(), context.snapshotRoot(), options.commands(), options.timeout(),
        options.consistentUnheld(), context.commands(), System::currentTimeMillis);
  }
}
