package io.groupsnap.agent.writer.cgroup;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.writer.Writer;
import java.util.Set;

/** Kind {@code cgroup}: see {@link CgroupWriter}. The cgroup itself is looked for at every PREPARE. */
public final class CgroupWriterKind implements WriterKind<CgroupOptions> {
  @Override
  public String name() {
    return "cgroup";
  }

  @Override
  public Set<String> options() {
    return CgroupOptions.NAMES;
  }

  @Override
  public CgroupOptions parse(WriterConfig w) throws KindException {
    return CgroupOptions.parse(KindOptions.of(w));
  }

  @Override
  public Writer create(WriterConfig w, CgroupOptions options, KindContext context) {
    return new CgroupWriter(w, options, context.commands());
  }
}
