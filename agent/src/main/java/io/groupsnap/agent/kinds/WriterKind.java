package io.groupsnap.agent.kinds;

import io.groupsnap.agent.writer.Writer;
import java.util.Set;

/** A kind of writer ({@code exec}, {@code cgroup}, …): its options, their validation, and how to build one. */
public interface WriterKind {
  /** As written in {@code kind:}. */
  String name();

  /** The option names this kind knows; any other is an error. */
  Set<String> options();

  /** Checks the writer's settings when the configuration is loaded, before anything starts. */
  void validate(WriterConfig writer, KindContext context) throws KindException;

  /** Builds the writer from settings {@link #validate} accepted. */
  Writer create(WriterConfig writer, KindContext context);
}
