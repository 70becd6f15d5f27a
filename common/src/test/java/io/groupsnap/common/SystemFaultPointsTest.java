package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemFaultPointsTest {
  @Test
  void armsThePointsOfTheSpec_andNothingElse() {
    SystemFaultPoints p = SystemFaultPoints.of(" agent.freeze = delay:5 ,coordinator.after-all-frozen=halt,junk", null);

    assertThat(p.armed("agent.freeze")).contains("delay:5");
    assertThat(p.armed("coordinator.after-all-frozen")).contains("halt");
    assertThat(p.armed("agent.after-frozen")).isEmpty();
    assertThat(p.armed("junk")).isEmpty();
  }

  @Test
  void rereadsTheFile_whenItChanges_andDisarmsWhenItGoes(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("c1.failpoints");
    SystemFaultPoints p = SystemFaultPoints.of("agent.freeze=delay:1", file);
    assertThat(p.armed("agent.freeze")).as("a missing file arms nothing").isEmpty();

    Files.writeString(file, "coordinator.before-commit-write=delay:3000\nignored=halt\n");
    assertThat(p.armed("coordinator.before-commit-write")).contains("delay:3000");
    assertThat(p.armed("ignored")).as("only the first line counts").isEmpty();

    Files.writeString(file, "agent.after-frozen=halt");
    assertThat(p.armed("coordinator.before-commit-write")).isEmpty();
    assertThat(p.armed("agent.after-frozen")).contains("halt");

    Files.delete(file);
    assertThat(p.armed("agent.after-frozen")).isEmpty();
  }

  @Test
  void failThrowsAtThePoint_andOnlyThere() {
    SystemFaultPoints p = SystemFaultPoints.of("agent.in-place-stage=fail", null);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.hit("agent.in-place-stage"))
        .isInstanceOf(FaultPoints.InjectedFault.class).hasMessageContaining("agent.in-place-stage");
    p.hit("agent.freeze");
  }

  @Test
  void setArmsAndDisarms_oneInstanceOnly() {
    SystemFaultPoints p = SystemFaultPoints.of("", null);
    SystemFaultPoints other = SystemFaultPoints.of("", null);

    p.set("agent.freeze", "delay:1");
    assertThat(p.armed("agent.freeze")).contains("delay:1");
    assertThat(other.armed("agent.freeze")).isEmpty();

    p.set("agent.freeze", null);
    assertThat(p.armed("agent.freeze")).isEmpty();
  }

  @Test
  void aDelayBlocksTheCaller_forAboutItsLength() {
    SystemFaultPoints p = SystemFaultPoints.of("agent.freeze=delay:50", null);
    long start = System.nanoTime();
    p.hit("agent.freeze");
    p.hit("agent.after-frozen");
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(50);
  }
}
