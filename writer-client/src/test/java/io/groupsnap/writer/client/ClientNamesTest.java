package io.groupsnap.writer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.groupsnap.common.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The client's copy of the name rule says exactly what the agent's says, on chosen and on random names. */
class ClientNamesTest {
  /** Pieces random names are made of: valid characters, separators, shell, control and format characters, a pair. */
  private static final String[] PIECES = {"a", "Z", "0", "9", ".", "_", "-", "/", " ", "$", ";", "`", "\n", "\t",
      "\u0000", "ä", "\u202e", "\u2028", "\ud83d\ude00"};

  @Test
  void clientRule_agreesWithTheAgentsRule_onEdgeCasesAndRandomNames() {
    List<String> names = new ArrayList<>(List.of("", "x", "agent-1", "db.primary", "A_b-9", "-x", ".hidden", "a/b",
        "..", "a..b", "a b", "$(id)", "ä", "x\u0000y", "x".repeat(63), "x".repeat(64), "bad\n".repeat(30),
        "\u202e".repeat(70), "x".repeat(63) + "\ud83d\ude00"));
    SplittableRandom random = new SplittableRandom(8);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(70);
      for (int j = 0; j < length; j++) {
        b.append(PIECES[random.nextInt(PIECES.length)]);
      }
      names.add(b.toString());
    }
    for (String name : names) {
      assertThat(ClientNames.isValid(name)).as(name).isEqualTo(Names.isValid(name));
      Throwable client = catchThrowable(() -> ClientNames.require("application", name));
      Throwable agent = catchThrowable(() -> Names.require("application", name));
      assertThat(client == null ? null : client.getMessage()).as(name)
          .isEqualTo(agent == null ? null : agent.getMessage());
    }
  }

  @Test
  void nullName_isMissing_forBoth() {
    assertThat(catchThrowable(() -> ClientNames.require("volume", null))).hasMessage("volume is missing")
        .hasMessage(catchThrowable(() -> Names.require("volume", null)).getMessage());
  }
}
