package io.groupsnap.cli.command;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.devkit.DevkitException;

/** Maps the dev tools' failures to the CLI's exit codes: bad input is a usage error (2), anything else failed (1). */
final class DevkitFailures {
  private DevkitFailures() {}

  static CliException toCli(DevkitException e) {
    return new CliException(e.kind() == DevkitException.Kind.BAD_INPUT ? ExitCodes.USAGE : ExitCodes.FAILED,
        e.getMessage());
  }
}
