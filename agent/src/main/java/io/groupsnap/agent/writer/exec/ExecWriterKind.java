package io.groupsnap.agent.writer.exec;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.writer.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kind {@code exec} of writers: see {@link ExecWriter}. Its commands are fields of the writer
 * ({@link #commandFields()}); at load every command must be an executable file. The hook directory is read at
 * PREPARE.
 */
public final class ExecWriterKind implements WriterKind<ExecWriterOptions> {
  @Override
  public String name() {
    return "exec";
  }

  @Override
  public Set<String> options() {
    return Set.of(ExecWriterOptions.HOOK_DIR, ExecWriterOptions.MODE);
  }

  @Override
  public Set<String> commandFields() {
    return ExecWriterOptions.COMMAND_FIELDS;
  }

  @Override
  public ExecWriterOptions parse(WriterConfig w) throws KindException {
    return ExecWriterOptions.parse(KindOptions.of(w));
  }

  @Override
  public void validate(WriterConfig w, ExecWriterOptions options, KindContext context) throws KindException {
    for (Map.Entry<String, List<String>> c : options.commandsByPhase().entrySet()) {
      if (c.getValue().isEmpty()) {
        continue;
      }
      Path exe = Path.of(c.getValue().get(0));
      if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
        throw new KindException(c.getKey(), "command " + exe + " does not exist or is not executable");
      }
    }
  }

  @Override
  public Writer create(WriterConfig w, ExecWriterOptions options, KindContext context) {
    return new ExecWriter(w, options, context.stateDir());
  }
}
