package io.groupsnap.coordinator.groupcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's settings file: group checks read, and every mistake one line naming the file and the field. */
class GroupChecksFileTest {
  @TempDir Path tmp;

  @Test
  void groupChecks_areRead_aGroupsOwnEntryWins_andStarCoversTheRest() throws Exception {
    Path f = tmp.resolve("coordinator.yaml");
    Files.writeString(f, """
        groupVerify:
          "*":
            command: [/usr/local/bin/groupsnap, devkit, check-cut, "{paths}"]
          ledger:
            command: [/etc/groupsnap/check-ledger, --strict, "{paths}", --then, 1]
            timeout: 90s
        """);
    GroupChecks c = GroupChecksFile.load(f);
    assertThat(c.forGroup("ledger")).hasValueSatisfying(k -> {
      assertThat(k.key()).isEqualTo("ledger");
      assertThat(k.timeout()).isEqualTo(Duration.ofSeconds(90));
      assertThat(k.expand(List.of("a1:data=/r/a", "a2:data=/r/b"))).containsExactly("/etc/groupsnap/check-ledger",
          "--strict", "a1:data=/r/a", "a2:data=/r/b", "--then", "1");
    });
    assertThat(c.forGroup("payments")).hasValueSatisfying(k -> {
      assertThat(k.key()).isEqualTo("*");
      assertThat(k.timeout()).isEqualTo(GroupChecks.DEFAULT_TIMEOUT);
    });
    assertThat(c.forGroup("")).map(GroupChecks.Check::key).hasValue("*");
    assertThat(GroupChecksFile.parse("empty.yaml", "")).isEqualTo(GroupChecks.NONE);
    assertThat(GroupChecksFile.parse("c.yaml", "groupVerify:\n  ledger:\n    command: [c, \"{paths}\"]\n")
        .forGroup("payments")).isEmpty();
  }

  @Test
  void everyMistake_isOneLineNamingTheFileAndTheField() {
    assertRefused("groupVerify:\n  ledger:\n    command: [c, \"{paths}\"]\n    timout: 5m\n",
        "c.yaml: groupVerify.ledger.timout: unknown field (known: command, timeout)");
    assertRefused("groupVerify:\n  ledger:\n    command: [c, --all]\n",
        "c.yaml: groupVerify.ledger.command: must have {paths} as one whole argument");
    assertRefused("groupVerify:\n  ledger:\n    command: [c, \"--p={paths}\"]\n",
        "c.yaml: groupVerify.ledger.command: must have {paths} as one whole argument");
    assertRefused("groupVerify:\n  ledger:\n    command: \"c {paths}\"\n",
        "c.yaml: groupVerify.ledger.command: must be a list of arguments");
    assertRefused("groupVerify:\n  ledger:\n    command: [[c], \"{paths}\"]\n",
        "c.yaml: groupVerify.ledger.command[0]: must be a string");
    assertRefused("groupVerify:\n  ledger:\n    command: [\"\", \"{paths}\"]\n",
        "c.yaml: groupVerify.ledger.command: must name a program");
    assertRefused("groupVerify:\n  ledger:\n    command: [c, \"{paths}\"]\n    timeout: soon\n",
        "c.yaml: groupVerify.ledger.timeout: 'soon': ");
    assertRefused("groupVerify:\n  ledger:\n    command: [c, \"{paths}\"]\n    timeout: 48h\n",
        "c.yaml: groupVerify.ledger.timeout: '48h' is outside 1s..24h");
    assertRefused("groupVerify:\n  \"bad name!\":\n    command: [c, \"{paths}\"]\n",
        "c.yaml: groupVerify.bad name!: not a group name");
    assertRefused("groupVerify: [a, b]\n", "c.yaml: groupVerify: must be a map");
    assertRefused("groupVerify:\n  ledger: [c]\n", "c.yaml: groupVerify.ledger: must be a map");
    assertRefused("groupVerfy: {}\n", "c.yaml: groupVerfy: unknown field (known: groupVerify)");
    assertRefused("groupVerify:\n  a:\n    command: [c, \"{paths}\"]\n  a:\n    command: [d, \"{paths}\"]\n",
        "c.yaml: not valid YAML: Duplicate field 'a'");
    assertRefused("groupVerify: [\n", "c.yaml: not valid YAML: ");
  }

  @Test
  void anUnreadableFile_isOneLineNamingIt() {
    Path missing = tmp.resolve("nope.yaml");
    assertThatThrownBy(() -> GroupChecksFile.load(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(missing + ": cannot read");
  }

  private static void assertRefused(String yaml, String says) {
    assertThatThrownBy(() -> GroupChecksFile.parse("c.yaml", yaml)).isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).startsWith(says).doesNotContain("\n"));
  }
}
