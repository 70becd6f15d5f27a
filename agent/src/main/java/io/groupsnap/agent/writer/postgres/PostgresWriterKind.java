package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.writer.Writer;
import java.time.Clock;
import java.util.Set;

/** Kind {@code postgresql}: see {@link PostgresWriter}. The server is first contacted at PREPARE. */
public final class PostgresWriterKind implements WriterKind<PostgresOptions> {
  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public Set<String> options() {
    return PostgresOptions.NAMES;
  }

  @Override
  public PostgresOptions parse(WriterConfig w) throws KindException {
    return PostgresOptions.parse(KindOptions.of(w));
  }

  @Override
  public Writer create(WriterConfig w, PostgresOptions options, KindContext context) {
    return new PostgresWriter(w, options, Clock.systemUTC());
  }
}
