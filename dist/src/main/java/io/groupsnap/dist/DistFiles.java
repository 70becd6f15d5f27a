package io.groupsnap.dist;

import io.groupsnap.cli.Groupsnap;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes the files the packages ship that are generated rather than kept in the repository, under one output
 * directory: {@code completion/groupsnap} (bash), {@code completion/groupsnap.zsh} ({@link #ZSH_COMPLETION}), {@code man/groupsnap.1.gz}, and
 * {@code systemd/} — the units of {@code deploy/systemd} as the tarball needs them, running the launcher from
 * {@value #TARBALL_HOME} instead of the package's {@value #PACKAGE_LAUNCHER}.
 *
 * <p>Run by the build ({@code dist/pom.xml}, phase prepare-package): {@code DistFiles OUTPUT_DIR UNITS_DIR}.
 * Deterministic: the same CLI gives byte-identical files (the gzip header carries no time).
 */
public final class DistFiles {
  /** Where the units of the Debian package find the launcher. */
  public static final String PACKAGE_LAUNCHER = "/usr/bin/groupsnap";
  /** Where the tarball's README and units expect it unpacked. */
  public static final String TARBALL_HOME = "/opt/groupsnap";

  /**
   * The zsh completion: the bash script through zsh's {@code bashcompinit}. The package installs it as
   * {@code /usr/share/zsh/vendor-completions/_groupsnap} (autoloaded by compinit; it completes the first time it is
   * called, then the bash script's function is registered); the tarball's {@code completion/groupsnap.zsh} is sourced
   * from ~/.zshrc after compinit and finds the bash script next to it.
   */
  static final String ZSH_COMPLETION = """
      #compdef groupsnap
      # zsh completion of groupsnap: the generated bash completion script, run through zsh's bashcompinit.
      autoload -U +X bashcompinit && bashcompinit
      local gs_script
      for gs_script in ${${(%):-%x}:A:h}/groupsnap /usr/share/bash-completion/completions/groupsnap; do
        if [[ -r $gs_script ]]; then
          source $gs_script
          break
        fi
      done
      unset gs_script
      if [[ $funcstack[1] == _groupsnap ]] && (( $+functions[_complete_groupsnap] )); then
        _bash_complete -F _complete_groupsnap "$@"
      fi
      """;

  private DistFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: DistFiles OUTPUT_DIR UNITS_DIR");
    }
    Path out = Path.of(args[0]);
    write(out, Path.of(args[1]));
  }

  /** Writes every generated file under {@code out}; {@code units} holds the package's systemd units. */
  static void write(Path out, Path units) throws IOException {
    CommandLine cli = new CommandLine(new Groupsnap());
    Path completion = Files.createDirectories(out.resolve("completion")).resolve("groupsnap");
    Files.writeString(completion, AutoComplete.bash("groupsnap", cli), StandardCharsets.UTF_8);
    Files.writeString(completion.resolveSibling("groupsnap.zsh"), ZSH_COMPLETION, StandardCharsets.UTF_8);

    Path man = Files.createDirectories(out.resolve("man")).resolve("groupsnap.1.gz");
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(man))) {
      gz.write(manPage(cli).getBytes(StandardCharsets.UTF_8));
    }

    Path tarballUnits = Files.createDirectories(out.resolve("systemd"));
    try (DirectoryStream<Path> found = Files.newDirectoryStream(units, "*.service")) {
      for (Path unit : found) {
        String text = Files.readString(unit, StandardCharsets.UTF_8);
        if (!text.contains(PACKAGE_LAUNCHER)) {
          throw new IllegalStateException(unit + ": does not run " + PACKAGE_LAUNCHER);
        }
        Files.writeString(tarballUnits.resolve(unit.getFileName()),
            text.replace(PACKAGE_LAUNCHER, TARBALL_HOME + "/bin/groupsnap"), StandardCharsets.UTF_8);
      }
    }
  }

  /** The man page of {@code cli}, with the sections an operator looks for besides the commands. */
  static String manPage(CommandLine cli) {
    return new ManPage(cli, List.of(
        new ManPage.Section("Environment", List.of(
            "GROUPSNAP_COORDINATOR: the coordinator to ask (host:port), if --coordinator is not given.",
            "GROUPSNAP_ZOOKEEPER: the ZooKeeper connect string the leader is found through, if --zookeeper is not "
                + "given. GROUPSNAP_CLUSTER: the cluster name (default: default).",
            "GROUPSNAP_LOG_LEVEL: DEBUG, INFO, WARN or ERROR (the daemons log at INFO by default, the other "
                + "commands warnings only). Logs go to standard error.",
            "GROUPSNAP_JAVA_OPTS: options of the Java virtual machine, read by the launcher.")),
        new ManPage.Section("Files", List.of(
            "/etc/groupsnap/agent.yaml: the agent's configuration (check it with: groupsnap agent --config "
                + "/etc/groupsnap/agent.yaml --check).",
            "/etc/groupsnap/coordinator.env: the coordinator's ZooKeeper connect string and options, read by "
                + "groupsnap-coordinator.service.",
            "groupsnap-agent.service, groupsnap-coordinator.service: the systemd units; installing the package "
                + "enables neither.",
            "/var/lib/groupsnap: the snapshot root of the shipped agent configuration.")),
        new ManPage.Section("See also", List.of(
            "The operator guide, /usr/share/doc/groupsnap/docs/operations.md, and the protocol, "
                + "/usr/share/doc/groupsnap/docs/protocol.md."))))
        .render();
  }
}
