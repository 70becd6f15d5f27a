package io.groupsnap.cli.support;

import io.groupsnap.cli.output.Printer;
import picocli.CommandLine.Option;

/** {@code -o text|json}. */
public final class OutputOption {
  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). JSON goes to stdout only.")
  public Printer.Format format = Printer.Format.text;
}
