package io.groupsnap.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.cli.Groupsnap;
import io.groupsnap.devkit.bench.scale.Footprint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class DistFilesTest {
  @TempDir Path out;

  private static final Path UNITS = Path.of("../deploy/systemd");
  /** A path under /etc/groupsnap, as configurations and maintainer scripts write them. */
  private static final Pattern ETC_PATH = Pattern.compile("/etc/groupsnap(/[A-Za-z0-9_.-]+)*");

  private String manPage() throws IOException {
    DistFiles.write(out, UNITS);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(out.resolve("man/groupsnap.1.gz")))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void manPageDocumentsEveryCommandAndOption_whenGeneratedFromTheCli() throws IOException {
    String page = manPage();
    List<CommandLine> commands = ManPage.commands(new CommandLine(new Groupsnap()));

    assertThat(commands).extracting(c -> c.getCommandSpec().qualifiedName())
        .contains("groupsnap snapshot create", "groupsnap agent", "groupsnap coordinator", "groupsnap agents forget");
    for (CommandLine c : commands) {
      assertThat(page).contains(".SS \"" + ManPage.escape(c.getCommandSpec().qualifiedName()) + "\"\n");
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (!o.hidden() && !o.usageHelp() && !o.versionHelp()) {
          assertThat(page).as("%s %s", c.getCommandSpec().qualifiedName(), o.longestName())
              .contains("\\fB" + ManPage.escape(o.longestName()) + "\\fR");
        }
      }
    }
    assertThat(page).startsWith(".TH \"GROUPSNAP\" 1 ").contains(".SH \"EXIT STATUS\"\n.TP\n.B 0\n", ".TP\n.B 3\n")
        .doesNotContain("${DEFAULT-VALUE}", "${COMPLETION-CANDIDATES}", "%n");
  }

  @Test
  void everyTextLineIsText_whenItWouldStartWithATroffControlCharacter() {
    assertThat(ManPage.escape(".hidden request")).isEqualTo("\\&.hidden request");
    assertThat(ManPage.escape("'quoted")).isEqualTo("\\&'quoted");
    assertThat(ManPage.escape("a\\b --opt")).isEqualTo("a\\eb \\-\\-opt");
  }

  @Test
  void bashCompletionOffersTheSubcommands_whenGenerated() throws IOException {
    DistFiles.write(out, UNITS);
    String script = Files.readString(out.resolve("completion/groupsnap"));

    assertThat(script).contains("complete -F _complete_groupsnap", "snapshot", "coordinator", "--freeze-timeout");
  }

  @Test
  void zshCompletionWrapsTheBashScript_andIsPackagedWhereZshLooks() throws IOException {
    DistFiles.write(out, UNITS);
    String zsh = Files.readString(out.resolve("completion/groupsnap.zsh"));

    assertThat(zsh).startsWith("#compdef groupsnap\n").contains("bashcompinit", "_complete_groupsnap",
        "/usr/share/bash-completion/completions/groupsnap");
    assertThat(Files.readString(Path.of("pom.xml")))
        .contains("<src>${dist.work}/completion/groupsnap.zsh</src>",
            "<dst>/usr/share/zsh/vendor-completions/_groupsnap</dst>");
    assertThat(Files.readString(Path.of("src/assembly/tarball.xml")))
        .contains("<directory>${dist.work}/completion</directory>");
  }

  @Test
  void tarballUnitsRunTheLauncherUnderOpt_whenThePackageUnitsRunUsrBin() throws IOException {
    DistFiles.write(out, UNITS);

    for (String unit : List.of("groupsnap-agent.service", "groupsnap-coordinator.service")) {
      assertThat(Files.readString(UNITS.resolve(unit))).contains("ExecStart=/usr/bin/groupsnap ");
      assertThat(Files.readString(out.resolve("systemd").resolve(unit)))
          .contains("ExecStart=/opt/groupsnap/bin/groupsnap ").doesNotContain("/usr/bin/groupsnap");
    }
  }

  @Test
  void footprintBenchRunsTheAgentAsItsUnitDoes_sameJvmOptionsAndAClassDataArchiveTheCacheHolds() throws IOException {
    String unit = Files.readString(UNITS.resolve("groupsnap-agent.service"));

    assertThat(unit).contains("Environment=\"GROUPSNAP_JAVA_OPTS=" + Footprint.SYSTEMD_JAVA_OPTS + "\"\n",
        "Environment=GROUPSNAP_CDS_ARCHIVE=/var/cache/groupsnap/agent.jsa\n", "CacheDirectory=groupsnap\n");
    assertThat(unit).containsPattern("(?m)^ExecStartPre=/usr/bin/groupsnap agent .*--check$"); // makes the archive
    assertThat(Files.readString(Path.of("src/deb/control/postrm")))
        .contains("rm -f /var/cache/groupsnap/agent.jsa ", "rmdir /var/cache/groupsnap ");
  }

  @Test
  void purgeRemovesEveryFileTheShippedConfigurationsName_andNothingElse() throws IOException {
    String postrm = Files.readString(Path.of("src/deb/control/postrm"));
    Set<String> named = new TreeSet<>();
    for (String config : List.of("agent.yaml", "coordinator.env")) {
      for (String line : Files.readAllLines(Path.of("../deploy/config").resolve(config))) {
        Matcher m = ETC_PATH.matcher(line.replaceFirst("#.*", "")); // what an unedited file uses, not its comments
        while (m.find()) {
          named.add(m.group());
        }
      }
    }
    Set<String> removed = new TreeSet<>();
    Matcher m = ETC_PATH.matcher(postrm.replaceAll("(?m)^\\s*#.*$", ""));
    while (m.find()) {
      removed.add(m.group());
    }

    assertThat(named).contains("/etc/groupsnap/tls/agent.key", "/etc/groupsnap/tls/coordinator.key",
        "/etc/groupsnap/zookeeper-agents.auth", "/etc/groupsnap/zookeeper-coordinator.auth");
    assertThat(removed).as("postrm purge").containsAll(named);
    removed.removeAll(named);
    assertThat(removed).as("postrm removes only what the configurations name, and their directories")
        .containsOnly("/etc/groupsnap/tls", "/etc/groupsnap");
  }

  @Test
  void generationFails_whenAUnitDoesNotRunThePackagedLauncher(@TempDir Path units) throws IOException {
    Files.writeString(units.resolve("other.service"), "[Service]\nExecStart=/usr/local/bin/other\n");

    assertThatThrownBy(() -> DistFiles.write(out, units)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("other.service").hasMessageContaining("/usr/bin/groupsnap");
  }
}
