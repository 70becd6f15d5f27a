package io.groupsnap.agent.kinds;

import io.groupsnap.agent.writer.Writer;
import java.util.Optional;

/**
 * One configured writer with its kind and the options that kind read from it: what validation checks and what the
 * agent builds the writer from, so that options are read once. Immutable.
 *
 * @param <O> the kind's options record
 */
public record WriterSetup<O>(WriterConfig config, WriterKind<O> kind, O options) {
  /** Reads {@code config}'s options with {@code kind}. */
  public static <O> WriterSetup<O> parse(WriterKind<O> kind, WriterConfig config) throws KindException {
    return new WriterSetup<>(config, kind, kind.parse(config));
  }

  /** The kind's checks on this host. */
  public void validate(KindContext context) throws KindException {
    kind.validate(config, options, context);
  }

  public Optional<WriterKind.Claim> claim() {
    return kind.claim(config, options);
  }

  public boolean needsWriterHub() {
    return kind.needsWriterHub();
  }

  public Writer create(KindContext context) {
    return kind.create(config, options, context);
  }
}
