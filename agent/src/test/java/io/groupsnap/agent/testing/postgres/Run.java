package io.groupsnap.agent.testing.postgres;

import io.groupsnap.agent.command.CommandRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs fixture commands (argument vectors, never a shell) and turns a failure into an exception with its output. */
final class Run {
  static final CommandRunner COMMANDS = CommandRunner.system();

  private Run() {}

  static CommandRunner.Result quietly(Duration timeout, String... argv) throws IOException {
    return COMMANDS.run(List.of(argv), timeout);
  }

  static String check(Duration timeout, String... argv) throws IOException {
    CommandRunner.Result r = quietly(timeout, argv);
    if (!r.ok()) {
      throw new IOException(String.join(" ", argv) + " failed: " + r.lastLine());
    }
    return r.stdout();
  }

  /** {@code argv} run as the {@code postgres} OS user through {@code runuser}. */
  static String asPostgres(Duration timeout, String... argv) throws IOException {
    List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    all.addAll(List.of(argv));
    return check(timeout, all.toArray(String[]::new));
  }
}
