package io.groupsnap.agent.volume.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.snapshot.SnapshotCatalog;
import io.groupsnap.agent.txn.EpochFence;
import io.groupsnap.agent.txn.Participant;
import io.groupsnap.agent.txn.Results.FreezeResult;
import io.groupsnap.agent.txn.Results.PrepareResult;
import io.groupsnap.agent.txn.TxnRef;
import io.groupsnap.agent.volume.Volume;
import io.groupsnap.agent.volume.VolumeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec kind with real processes: small scripts written here stand in for a storage system's tools. */
class ExecVolumeTest {
  @TempDir Path tmp;
  Path data;
  Path snaps;
  Path create;
  Path delete;
  Path list;
  Path args;
  ScheduledExecutorService scheduler;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("ledger"), "balance=100\n");
    snaps = tmp.resolve("snaps");
    args = tmp.resolve("args");
    // each records its arguments, one per line after their count, then does the work
    create = script("create", "cp -a \"$1\" \"$2\"");
    delete = script("delete", "rm -rf -- \"$1\"");
    list = script("list", "[ -d \"$1\" ] || exit 0\nfor d in \"$1\"/*; do\n  [ -e \"$d\" ] || continue\n"
        + "  printf '%s %s\\n' \"${d##*/}\" \"$(stat -c %Y \"$d\")\"\ndone");
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  private Path script(String name, String body) throws IOException {
    Path p = tmp.resolve(name + ".sh");
    Files.writeString(p, "#!/bin/sh\n{ echo $#; for a in \"$@\"; do echo \"$a\"; done; } > " + args + "." + name
        + "\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private String yaml(Path path, String options) {
    return "insecure: true\n"
        + "agentId: a1\nsnapshotRoot: " + snaps + "\nvolumes:\n  - name: san\n    kind: exec\n    path: " + path
        + "\n    options:\n" + options;
  }

  private String commands() {
    return "      create: [" + create + ", \"{path}\", \"{target}\", \"{volume}\", \"{snapshot}\"]\n"
        + "      delete: [" + delete + ", \"{target}\"]\n"
        + "      list: [" + list + ", \"" + snaps + "/{volume}\"]\n";
  }

  /** Loads the volume; a writer holds it, as the loader requires of a volume that is not atomic. */
  private Volume load(String yaml) throws ConfigException {
    AgentConfig c = ConfigLoader.parse("agent.yaml", yaml + "writers:\n  - name: app\n    kind: exec\n"
        + "    freeze: [/bin/true]\n    thaw: [/bin/true]\n");
    return ConfigLoader.validate("agent.yaml", c).volumes().get(0).create(KindContext.of(c.snapshotRoot(),
        c.stateDir()));
  }

  private List<String> argsOf(String command) throws IOException {
    List<String> lines = Files.readAllLines(Path.of(args + "." + command));
    assertThat(lines.get(0)).as("argument count").isEqualTo(Integer.toString(lines.size() - 1));
    return lines.subList(1, lines.size());
  }

  @Test
  void captureListDelete_runTheOperatorsCommands_withPlaceholdersFilledIn() throws Exception {
    Volume v = load(yaml(data, commands()));
    assertThat(v.needsHolder()).isTrue();
    Path target = v.captureTarget("gs-1");
    assertThat(target).isEqualTo(snaps.resolve("san/gs-1"));
    v.check(target);
    assertThat(v.capture(target)).isEqualTo(target);
    assertThat(argsOf("create")).containsExactly(data.toString(), target.toString(), "san", "gs-1");
    Files.writeString(data.resolve("ledger"), "balance=0\n");
    assertThat(Files.readString(target.resolve("ledger"))).isEqualTo("balance=100\n");

    List<Volume.Found> found = v.listCaptures();
    assertThat(argsOf("list")).containsExactly(snaps.resolve("san").toString());
    assertThat(found).singleElement().satisfies(f -> {
      assertThat(f.groupSnapshotId()).isEqualTo("gs-1");
      assertThat(f.location()).isEqualTo(target);
      assertThat(f.modifiedMillis() / 1000).isEqualTo(Files.getLastModifiedTime(target).toMillis() / 1000);
    });
    v.delete(target);
    assertThat(argsOf("delete")).containsExactly(target.toString());
    assertThat(target).doesNotExist();
    assertThat(v.listCaptures()).isEmpty();
  }

  @Test
  void shellMetacharacters_inPathsAndTemplates_stayOneLiteralArgument() throws Exception {
    String marker = "pwned-" + UUID.randomUUID();
    Path odd = Files.createDirectories(tmp.resolve("d;touch " + marker + ";$(touch " + marker + ") 'q\" `id`"));
    Path echo = script("check", "exit 0");
    try {
      Volume v = load(yaml(odd, commands() + "      check: [" + echo + ", \"--label={volume};rm -rf {path}\", "
          + "\"$(touch " + marker + ")\", \"{{volume}}\", \"{path}\"]\n"));
      v.check(v.captureTarget("gs-1"));
      assertThat(argsOf("check")).containsExactly("--label=san;rm -rf " + odd, "$(touch " + marker + ")",
          "{volume}", odd.toString());
      v.capture(v.captureTarget("gs-1"));
      assertThat(argsOf("create")).first().isEqualTo(odd.toString());
      assertThat(v.captureTarget("gs-1").resolve("ledger")).doesNotExist(); // odd is empty: nothing else copied
      assertThat(Path.of(marker)).doesNotExist();
      assertThat(tmp.resolve(marker)).doesNotExist();
      // a snapshot id is a validated name: one with shell characters is never a capture of this volume
      VolumeException e = catchThrowableOfType(() -> v.check(v.captureTarget("x;touch " + marker)),
          VolumeException.class);
      assertThat(e.getMessage()).contains("is not one of this volume's");
      assertThat(v.owns(v.captureTarget("x;touch " + marker))).isFalse();
    } finally {
      Files.deleteIfExists(Path.of(marker));
    }
    assertThat(catchThrowableOfType(() -> load(yaml(data, commands()).replace("name: san", "name: \"a;b\"")),
        ConfigException.class).getMessage()).startsWith("agent.yaml: volumes[0].name: value 'a;b' is not a valid");
  }

  @Test
  void aMissingCommand_isRefusedAtLoad_andAtPrepare_withTheOptionNamed() throws Exception {
    assertThat(catchThrowableOfType(() -> load(yaml(data, commands().replace(delete.toString(),
        tmp.resolve("no-such-delete").toString()))), ConfigException.class))
        .hasMessage("agent.yaml: volumes[0].options.delete: command " + tmp.resolve("no-such-delete")
            + " does not exist or is not executable");
    Volume v = load(yaml(data, commands()));
    Files.delete(list);
    VolumeException e = catchThrowableOfType(() -> v.check(v.captureTarget("gs-1")), VolumeException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessage("option list: command " + list + " does not exist or is not executable");
    Files.writeString(list, "#!/bin/sh\n");
    Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-------"));
    assertThat(catchThrowableOfType(() -> v.check(v.captureTarget("gs-1")), VolumeException.class))
        .hasMessageContaining("option list:");
  }

  @Test
  void exitCodesAndTimeouts_becomeOneLineErrors() throws Exception {
    Path later = script("later", "echo 'array busy, try later' >&2\nexit 75");
    Path broken = script("broken", "echo 'progress...'\necho 'first problem' >&2\necho 'SAN array unreachable' >&2\n"
        + "exit 3");
    Path hang = script("hang", "exec sleep 30");
    Volume busy = load(yaml(data, commands() + "      check: [" + later + "]\n"));
    VolumeException e = catchThrowableOfType(() -> busy.check(busy.captureTarget("gs-1")), VolumeException.class);
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessage("check command exited 75: array busy, try later");
    Volume down = load(yaml(data, commands() + "      check: [" + broken + "]\n"));
    e = catchThrowableOfType(() -> down.check(down.captureTarget("gs-1")), VolumeException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e).hasMessage("check command exited 3: SAN array unreachable");
    Volume slow = load(yaml(data, commands().replace(create.toString(), hang.toString())
        + "      timeout: 300ms\n"));
    e = catchThrowableOfType(() -> slow.capture(slow.captureTarget("gs-1")), VolumeException.class);
    assertThat(e).hasMessage("create command timed out after 300ms and was killed");
    Volume failing = load(yaml(data, commands().replace(delete.toString(), broken.toString())));
    assertThatThrownBy(() -> failing.delete(failing.captureTarget("gs-1"))).isInstanceOf(IOException.class)
        .hasMessage("delete command exited 3: SAN array unreachable");
  }

  @Test
  void listOutput_thatIsNotOneIdPerLine_isAnError() throws Exception {
    Path chatty = script("chatty", "echo 'gs-1 1795395905'\necho 'Listing snapshots for san:'");
    Volume v = load(yaml(data, commands().replace(list.toString(), chatty.toString())));
    assertThatThrownBy(v::listCaptures).isInstanceOf(IOException.class)
        .hasMessage("list command printed an unexpected line 2: 'Listing snapshots for san:' (expected a group "
            + "snapshot id, optionally followed by its creation time in seconds)");
  }

  @Test
  void throughTheParticipant_anAtomicVolumeIsCapturedUnheld_aPlainOneNeedsAWriter() throws Exception {
    Volume atomic = load(yaml(data, commands() + "      atomic: \"true\"\n"));
    Volume plain = load(yaml(data, commands()).replace("name: san", "name: plain"));
    Participant p = new Participant("a1", List.of(atomic, plain), List.of(),
        SnapshotCatalog.onDisk(tmp.resolve("state")), new EpochFence(tmp.resolve("state"), "c-1"), snaps,
        Duration.ofSeconds(60), scheduler, Clock.systemUTC());
    try {
      PrepareResult no = p.prepare(new TxnRef("c-1", 1, "gs-0"), List.of("plain"), Duration.ofSeconds(5));
      assertThat(no.ok()).isFalse();
      assertThat(no.reason()).startsWith("volume plain: no writer holds it").contains("allowUnheld");
      assertThat(load(yaml(data, commands() + "      allowUnheld: \"true\"\n")).needsHolder()).isFalse();
      TxnRef txn = new TxnRef("c-1", 1, "gs-1");
      PrepareResult yes = p.prepare(txn, List.of("san"), Duration.ofSeconds(5));
      assertThat(yes.ok()).as(yes.reason()).isTrue();
      FreezeResult f = p.freeze(txn, Duration.ofSeconds(5));
      assertThat(f.frozen()).as(f.reason()).isTrue();
      Path captured = f.captures().get(0).path();
      assertThat(captured).isEqualTo(snaps.resolve("san/gs-1"));
      assertThat(Files.readString(captured.resolve("ledger"))).isEqualTo("balance=100\n");
      assertThat(p.thaw(txn).unbroken()).isTrue();
      assertThat(p.commit(txn)).isEqualTo(1);
      assertThat(p.deleteSnapshot(txn)).isEqualTo(1);
      assertThat(argsOf("delete")).containsExactly(captured.toString());
      assertThat(captured).doesNotExist();
    } finally {
      p.releaseAll();
    }
  }
}
