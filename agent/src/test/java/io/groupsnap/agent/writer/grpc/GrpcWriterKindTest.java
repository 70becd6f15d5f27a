package io.groupsnap.agent.writer.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupsnap.agent.config.ConfigException;
import io.groupsnap.agent.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration checks of kind grpc. */
class GrpcWriterKindTest {
  @TempDir Path tmp;

  @Test
  void config_requiresAValidApplication_andOneWriterPerApplication() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    String base = "insecure: true\n"
        + "agentId: host-a\nsnapshotRoot: " + tmp.resolve("snaps") + "\nvolumes:\n  - name: data\n"
        + "    kind: dir\n    path: " + data + "\nwriters:\n";
    String orders = "  - name: w1\n    kind: grpc\n    options: {application: orders}\n";
    assertThat(ConfigLoader.parse("agent.yaml", base + orders).writers().get(0).options())
        .containsEntry("application", "orders");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + "  - name: w1\n    kind: grpc\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("agent.yaml: writers[0].options.application: is required: the name the application subscribes "
            + "with");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + orders.replace("orders", "'a b'")))
        .hasMessageStartingWith("agent.yaml: writers[0].options.application: application name 'a b' is not a "
            + "valid name");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + orders + orders.replace("w1", "w2")))
        .hasMessage("agent.yaml: writers[1].options.application: application 'orders' is already served by another "
            + "writer; one writer per application");
    assertThatThrownBy(() -> ConfigLoader.parse("agent.yaml", base + orders + "    freeze: [/bin/true]\n"))
        .hasMessageContaining("writers[0].freeze: only writers of kind exec take commands");
  }
}
