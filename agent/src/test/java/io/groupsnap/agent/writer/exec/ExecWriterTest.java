package io.groupsnap.agent.writer.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecWriterTest {
  @TempDir Path tmp;
  final Writer.TxnContext txn = new Writer.TxnContext("gs-1", 4, Set.of("data"));

  private Path script(String name, String body) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private ExecWriter writer(List<String> freeze, Duration timeout) {
    return new ExecWriter(new WriterConfig("app", "exec", 0, Set.of(), timeout, java.util.Map.of()),
        ExecWriterOptions.commands(freeze, List.of("/bin/true")), tmp.resolve("state"));
  }

  @Test
  void exitCodes_mapToOkRetryableAndFinal() throws Exception {
    assertThat(writer(List.of(script("ok", "exit 0").toString()), Duration.ofSeconds(5))
        .freeze(txn, Instant.now()).ok()).isTrue();
    assertThat(writer(List.of(script("busy", "exit 75").toString()), Duration.ofSeconds(5))
        .freeze(txn, Instant.now()).outcome()).isEqualTo(WriterResult.Outcome.RETRYABLE);
    WriterResult broken = writer(List.of(script("bad", "exit 3").toString()), Duration.ofSeconds(5))
        .freeze(txn, Instant.now());
    assertThat(broken.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(broken.reason()).contains("exited 3");
  }

  @Test
  void aHangingCommand_isKilledAtItsTimeout() throws Exception {
    WriterResult r = writer(List.of(script("hang", "exec sleep 30").toString()), Duration.ofMillis(300))
        .freeze(txn, Instant.now());
    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).contains("timed out after 300ms");
  }

  @Test
  void arguments_areNeverInterpretedByAShell_andTheTxnIsInTheEnvironment() throws Exception {
    Path out = tmp.resolve("args.txt");
    Path marker = tmp.resolve("pwned");
    Path echo = script("echo", "printf '%s|%s|%s' \"$1\" \"$GROUPSNAP_TXN\" \"$GROUPSNAP_PHASE\" > " + out);
    WriterResult r = writer(List.of(echo.toString(), "$(touch " + marker + ")"), Duration.ofSeconds(5))
        .freeze(txn, Instant.now());
    assertThat(r.ok()).isTrue();
    assertThat(Files.readString(out)).isEqualTo("$(touch " + marker + ")|gs-1|freeze");
    assertThat(marker).doesNotExist();
  }

  @Test
  void prepare_refusesAWriterWhoseCommandDisappeared() throws Exception {
    Path gone = script("gone", "exit 0");
    ExecWriter w = writer(List.of(gone.toString()), Duration.ofSeconds(5));
    Files.delete(gone);
    WriterResult r = w.prepare(txn);
    assertThat(r.outcome()).isEqualTo(WriterResult.Outcome.NON_RETRYABLE);
    assertThat(r.reason()).contains(gone.toString()).contains("does not exist");
  }
}
