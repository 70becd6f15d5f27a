package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.cli.doctor.Doctor;
import io.groupsnap.cli.doctor.Finding;
import io.groupsnap.cli.doctor.Finding.Verdict;
import io.groupsnap.cli.doctor.HostProbe;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.ZkClients;
import io.groupsnap.common.ZkLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code groupsnap doctor}: the agent's own checks against a real ZooKeeper, with free space and privileges given. */
class DoctorCommandTest {
  @TempDir Path tmp;
  TestingServer zk;
  Path data;
  Path emptyPath;
  final AtomicReference<HostProbe.Space> space = new AtomicReference<>(new HostProbe.Space(500, 1000));
  boolean sysAdmin = false;
  String searchPath = CommandRunner.SYSTEM_DIRS;

  @BeforeEach
  void setUp() throws Exception {
    tmp = tmp.toRealPath();
    zk = new TestingServer(true);
    data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("file"), "x");
    emptyPath = Files.createDirectories(tmp.resolve("no-tools"));
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
  }

  HostProbe probe() {
    CommandRunner commands = CommandRunner.system(searchPath);
    return new HostProbe() {
      @Override
      public Space space(Path path) {
        return space.get();
      }

      @Override
      public boolean hasSysAdmin() {
        return sysAdmin;
      }

      @Override
      public CommandRunner commands() {
        return commands;
      }
    };
  }

  Doctor doctor() {
    return new Doctor(probe(), Duration.ofSeconds(5), Clock.systemUTC());
  }

  Path config(String zookeeper, String volumes, String extra) throws Exception {
    Path f = tmp.resolve("agent.yaml");
    Files.writeString(f, "insecure: true\nagentId: host-a\ncluster: c1\nzookeeper: " + zookeeper + "\nsnapshotRoot: "
        + tmp.resolve("snaps") + "\nvolumes:\n" + volumes + extra);
    return f;
  }

  String dirVolume() {
    return "  - name: data\n    kind: dir\n    path: " + data + "\n    options: {allowUnheld: \"true\"}\n";
  }

  record Run(int exit, String out) {}

  Run run(Doctor doctor, String... args) {
    DoctorCommand command = new DoctorCommand();
    command.doctor = doctor;
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString());
  }

  static Finding line(List<Finding> findings, String check) {
    return findings.stream().filter(f -> f.check().equals(check)).findFirst().orElseThrow(
        () -> new AssertionError("no " + check + " line in " + findings));
  }

  @Test
  void aDirVolume_andAReachableZooKeeper_areAllOk_withAnOffsetFigure() throws Exception {
    try (CuratorFramework c = ZkClients.connect(zk.getConnectString(), Duration.ofSeconds(10))) {
      c.create().creatingParentsIfNeeded().forPath(new ZkLayout("c1").cluster(), new byte[] {1});
    }
    Path cfg = config(zk.getConnectString(), dirVolume(), "");
    List<Finding> findings = doctor().examine(cfg);

    assertThat(findings).allSatisfy(f -> assertThat(f.verdict()).as(f.toString()).isIn(Verdict.OK, Verdict.WARN));
    assertThat(line(findings, "config").verdict()).isEqualTo(Verdict.OK);
    assertThat(line(findings, "volume").verdict()).isEqualTo(Verdict.OK);
    assertThat(line(findings, "volume").subject()).isEqualTo("data (dir)");
    assertThat(line(findings, "privilege").verdict()).isEqualTo(Verdict.OK);
    assertThat(line(findings, "state dir").verdict()).isEqualTo(Verdict.OK);
    assertThat(line(findings, "zookeeper").verdict()).isEqualTo(Verdict.OK);
    Finding clock = line(findings, "clock offset");
    assertThat(clock.verdict()).isEqualTo(Verdict.OK);
    assertThat(clock.detail()).containsPattern("offset -?\\d+ms, ±\\d+ms");
    assertThat(line(findings, "tls").verdict()).as("insecure is worth a warning").isEqualTo(Verdict.WARN);

    Run text = run(doctor(), "--config", cfg.toString());
    assertThat(text.exit()).isEqualTo(ExitCodes.OK);
    assertThat(text.out()).startsWith("CHECK").contains("volume").contains("data (dir)").contains(" OK ");
    Run json = run(doctor(), "--config", cfg.toString(), "-o", "json");
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertThat(j.get("ok").asBoolean()).isTrue();
    assertThat(j.get("checks").get(0).get("check").asText()).isEqualTo("config");
    assertThat(j.get("checks").get(0).get("verdict").asText()).isEqualTo("OK");
  }

  @Test
  void missingTools_failTheirLines_namingTheTool_andTheExitIsOne() throws Exception {
    searchPath = emptyPath.toString();
    Path password = tmp.resolve("restic.pass");
    Files.writeString(password, "pw\n");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    Path lvPath = Files.createDirectories(tmp.resolve("lv"));
    Path cfg = config(zk.getConnectString(), dirVolume() + "  - name: db\n    kind: lvm\n    path: " + lvPath
        + "\n    options: {vg: vg0, lv: db, snapshotSize: 10%ORIGIN}\n",
        "exports:\n  - name: offsite\n    kind: restic\n    repository: " + tmp.resolve("repo")
        + "\n    passwordFile: " + password + "\n");
    List<Finding> findings = doctor().examine(cfg);

    Finding lvm = findings.stream().filter(f -> f.subject().equals("db (lvm)")).findFirst().orElseThrow();
    assertThat(lvm.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(lvm.detail()).contains("tool lvcreate is not installed");
    assertThat(line(findings, "privilege").verdict()).isEqualTo(Verdict.FAIL);
    assertThat(line(findings, "privilege").subject()).isEqualTo("kind lvm");
    assertThat(line(findings, "export").verdict()).isEqualTo(Verdict.FAIL);
    assertThat(line(findings, "export").detail()).contains("restic not installed");
    assertThat(findings.stream().filter(f -> f.subject().equals("data (dir)")).findFirst().orElseThrow().verdict())
        .as("one volume's missing tool does not fail another").isEqualTo(Verdict.OK);

    Run r = run(doctor(), "--config", cfg.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.out()).contains("tool lvcreate is not installed");
  }

  @Test
  void aVolumePathThatDoesNotExist_failsNamingTheField() throws Exception {
    Path cfg = config(zk.getConnectString(), "  - name: gone\n    kind: dir\n    path: " + tmp.resolve("gone")
        + "\n    options: {allowUnheld: \"true\"}\n", "");
    Finding v = line(doctor().examine(cfg), "volume");
    assertThat(v.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(v.detail()).isEqualTo("volumes[0].path: " + tmp.resolve("gone") + " is not an existing directory");
  }

  @Test
  void anUnreachableZooKeeper_failsWithinTheBoundedWait_andTheClockIsSkipped() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path cfg = config("127.0.0.1:" + closed, dirVolume(), "");
    List<Finding> findings = new Doctor(probe(), Duration.ofSeconds(1), Clock.systemUTC()).examine(cfg);
    Finding z = line(findings, "zookeeper");
    assertThat(z.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(z.detail()).isEqualTo("cannot reach ZooKeeper at 127.0.0.1:" + closed + " within 1.0s");
    assertThat(line(findings, "clock offset").verdict()).isEqualTo(Verdict.SKIPPED);
    assertThat(run(new Doctor(probe(), Duration.ofSeconds(1), Clock.systemUTC()), "--config", cfg.toString())
        .exit()).isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void freeSpace_warnsUnderTenPercent_failsUnderTwo_andPrintsTheBytes() throws Exception {
    Path cfg = config(zk.getConnectString(), dirVolume(), "");
    space.set(new HostProbe.Space(150, 1000));
    Finding ok = line(doctor().examine(cfg), "free space");
    assertThat(ok.verdict()).isEqualTo(Verdict.OK);
    assertThat(ok.detail()).startsWith("150 bytes free of 1000 (15.0 %)");
    space.set(new HostProbe.Space(90, 1000));
    Finding warn = line(doctor().examine(cfg), "free space");
    assertThat(warn.verdict()).isEqualTo(Verdict.WARN);
    assertThat(warn.detail()).startsWith("90 bytes free of 1000 (9.0 %)").endsWith("under 10 %");
    space.set(new HostProbe.Space(19, 1000));
    Finding fail = line(doctor().examine(cfg), "free space");
    assertThat(fail.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(fail.detail()).startsWith("19 bytes free of 1000").endsWith("under 2 %");
    assertThat(run(doctor(), "--config", cfg.toString()).exit()).isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void aConfigThatCannotBeRead_isOneFailLine_namingTheField() throws Exception {
    Path cfg = config(zk.getConnectString(), dirVolume(), "snapshotRot: /x\n");
    List<Finding> findings = doctor().examine(cfg);
    assertThat(findings).hasSize(1);
    assertThat(findings.get(0).verdict()).isEqualTo(Verdict.FAIL);
    assertThat(findings.get(0).detail()).startsWith(cfg + ": snapshotRot:");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = io.groupsnap.cli.Groupsnap.run(new String[] {"doctor", "--config", cfg.toString()},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(exit).isEqualTo(ExitCodes.FAILED);
    assertThat(out.toString().lines().count()).isEqualTo(2);
    assertThat(err.toString()).doesNotContain("Exception");
    assertThat(StandInCoordinator.runCli("doctor").exit()).as("--config is required").isEqualTo(ExitCodes.USAGE);
  }
}
