package io.groupsnap.devkit.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header-count workload started on a volume that already holds its file: it needs nothing from before. */
class HeaderCountWorkloadTest {
  @TempDir Path tmp;

  @Test
  void aWorkloadOnAnExistingVolume_rewritesItsFileWhole_andCarriesOn() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("agent-1"));
    Path b = Files.createDirectories(tmp.resolve("agent-2"));
    Files.writeString(a.resolve(HeaderCountWorkload.FILE), "COUNT=00000003 LEN=00000010\n" + " ".repeat(3) + "\n"
        + "x".repeat(4000), StandardCharsets.US_ASCII); // torn: the body grew, the header did not
    assertThat(HeaderCountWorkload.isTorn(a.resolve(HeaderCountWorkload.FILE))).isTrue();
    HeaderCountWorkload before = new HeaderCountWorkload(Map.of("agent-2", b)).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> before.updates() >= 20);
    assertThat(before.stop(Duration.ofSeconds(10))).isTrue();

    HeaderCountWorkload w = new HeaderCountWorkload(Map.of("agent-1", a, "agent-2", b));
    assertThat(HeaderCountWorkload.isTorn(a.resolve(HeaderCountWorkload.FILE))).isFalse();
    w.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> w.updates() >= 20);
    assertThat(w.stop(Duration.ofSeconds(10))).isTrue();

    assertThat(w.terminated()).isTrue();
    assertThat(HeaderCountWorkload.isTorn(a.resolve(HeaderCountWorkload.FILE))).isFalse();
    assertThat(HeaderCountWorkload.isTorn(b.resolve(HeaderCountWorkload.FILE))).isFalse();
  }
}
