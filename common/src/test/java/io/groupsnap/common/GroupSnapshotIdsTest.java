package io.groupsnap.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupSnapshotIdsTest {
  @Test
  void aMintedId_hasTheCheckedForm_withItsUtcTime() {
    String id = GroupSnapshotIds.mint(Instant.parse("2026-11-21T22:13:15Z"), new Random(7));
    assertThat(id).startsWith("gs-20261121-221315-").hasSize(25);
    assertThat(GroupSnapshotIds.isWellFormed(id)).isTrue();
    assertThat(Names.isValid(id)).isTrue();
  }

  @Test
  void otherShapes_areNotWellFormed() {
    for (String id : new String[] {"gs-1", "my-snapshot", "gs-20261121-221315-ABCDEF", "gs-20261121-221315-abcdef0",
        "gs-20261121-221315-abcdef\n", ""}) {
      assertThat(GroupSnapshotIds.isWellFormed(id)).as(id).isFalse();
    }
    assertThat(GroupSnapshotIds.isWellFormed(null)).isFalse();
  }
}
