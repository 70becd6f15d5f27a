package io.groupsnap.it;

import io.groupsnap.cli.Groupsnap;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the groupsnap CLI in this JVM and keeps what it printed. */
record Cli(int exit, String out, String err) {
  static Cli run(String... args) {
    return run(new StringWriter(), args);
  }

  /** Runs it with stderr going to {@code err}, which another thread may read while the command runs. */
  static Cli run(StringWriter err, String... args) {
    return run(new StringWriter(), err, args);
  }

  /** Runs it with stdout and stderr going to writers another thread may read while the command runs. */
  static Cli run(StringWriter out, StringWriter err, String... args) {
    int code = Groupsnap.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(code, out.toString(), err.toString());
  }
}
