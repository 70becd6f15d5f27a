package io.groupsnap.agent.kinds;

import io.groupsnap.agent.writer.Writer;
import java.util.Optional;
import java.util.Set;

/**
 * A kind of writer ({@code exec}, {@code cgroup}, …): its options, how they are read and checked, and how a writer is
 * built from them. As for {@link VolumeKind}, the configuration is validated through {@link #parse} and
 * {@link #validate} before anything starts, and {@link #create} gets the options {@link #parse} returned.
 *
 * <p>Implementations are stateless and may be called from any thread.
 *
 * @param <O> the kind's options record
 */
public interface WriterKind<O> {
  /** As written in {@code kind:}. */
  String name();

  /** The names this kind knows under {@code options:}; any other is an error. */
  Set<String> options();

  /**
   * Fields of the writer itself that this kind reads as options: commands, and how their exit codes read (those of
   * kind {@code exec}, where operators have always written them). The loader keeps each in
   * {@link WriterConfig#options()} under its own name, as the JSON text of what the file gave; another kind's writer
   * that has one is refused. None by default.
   */
  default Set<String> commandFields() {
    return Set.of();
  }

  /**
   * Names under {@code options:} whose value may be a YAML mapping or list (grpc's {@code peer}); the loader keeps
   * such a value as its JSON text, for the kind to read back. Every other option is a string. None by default.
   */
  default Set<String> structuredOptions() {
    return Set.of();
  }

  /**
   * Reads the writer's options into this kind's record. Looks at nothing on the host.
   *
   * @throws KindException naming the field at fault, relative to the writer ({@code options.unit}, {@code freeze})
   */
  O parse(WriterConfig writer) throws KindException;

  /** Checks what can be checked on this host when the configuration is loaded. Nothing by default. */
  default void validate(WriterConfig writer, O options, KindContext context) throws KindException {}

  /**
   * True when writers of this kind reach their applications through the agent's writer hub; the agent runs a hub,
   * and puts it in the {@link KindContext}, only when some configured writer's kind needs one.
   */
  default boolean needsWriterHub() {
    return false;
  }

  /** What on the agent this writer takes for itself alone (one writer per application, say); none by default. */
  default Optional<Claim> claim(WriterConfig writer, O options) {
    return Optional.empty();
  }

  /** Builds the writer from the options {@link #parse} read and {@link #validate} accepted. */
  Writer create(WriterConfig writer, O options, KindContext context);

  /**
   * Something on an agent that only one writer of a kind may have.
   *
   * @param field where the writer names it ({@code options.application})
   * @param key what is taken; two writers of one kind with equal keys are refused
   * @param conflict the error given to the second writer
   */
  record Claim(String field, String key, String conflict) {}
}
