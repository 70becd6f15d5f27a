package io.groupsnap.common.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.groupsnap.common.Formats;
import io.groupsnap.common.testing.Corpus;
import io.groupsnap.proto.v1.GroupSpec;
import io.groupsnap.proto.v1.KnownAgent;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Today's code reads every message release 0.1 wrote (the recorded corpus) without losing a byte, and keeps what a
 * next release may add: the guarantee that lets coordinators and agents one minor version apart work together.
 */
class CorpusTest {
  static final List<Corpus.Entry> V01 = Corpus.load("v0.1");
  static final int NEXT_FIELD = 9_999; // a field number no message uses: what the next release might add

  @Test
  void everyRecordedMessage_decodes_andReencodesToTheSameBytes() {
    assertThat(V01).hasSizeGreaterThanOrEqualTo(30);
    for (Corpus.Entry e : V01) {
      Message m = e.decode();
      assertThat(m.getUnknownFields().asMap()).as(e.file() + ": every field known").isEmpty();
      assertThat(m.toByteArray()).as(e.file() + " re-encoded").isEqualTo(e.bytes());
    }
  }

  @Test
  void theCorpus_coversEveryStoredRecordAndEveryAgentCall() {
    Set<String> types = V01.stream().map(Corpus.Entry::type).collect(Collectors.toSet());
    assertThat(types).contains("GroupSnapshot", "AgentRegistration", "KnownAgent", "EpochRecord", "ClusterRecord",
        "AuditEntry", "GroupSpec", "BackupRun", "Schedule");
    for (String call : List.of("Prepare", "Freeze", "Thaw", "Commit", "Abort", "DeleteSnapshot", "CheckSnapshot",
        "ForgetExport")) {
      assertThat(types).contains(call + "Request", call + "Response");
    }
    assertThat(types).contains("StartExportRequest", "GetExportRequest", "ExportStatusResponse");
  }

  @Test
  void everyVersionedMessage_isOneThisBuildReads() {
    for (Corpus.Entry e : V01) {
      Message m = e.decode();
      assertThat(Formats.problem(e.type(), Formats.version(m))).as(e.file()).isNull();
    }
  }

  @Test
  void aFieldAddedByTheNextRelease_survivesDecodeAndReencode() throws Exception {
    for (Corpus.Entry e : V01) {
      byte[] next = withUnknownField(e.bytes());
      Message m = e.decode().getParserForType().parseFrom(next);
      assertThat(m.getUnknownFields().hasField(NEXT_FIELD)).as(e.file()).isTrue();
      assertThat(m.toByteArray()).as(e.file() + " re-encoded").isEqualTo(next);
      Message rewritten = m.toBuilder().build();
      assertThat(rewritten.getUnknownFields().getField(NEXT_FIELD).getLengthDelimitedList())
          .containsExactly(ByteString.copyFromUtf8("from 0.2"));
    }
  }

  @Test
  void formatRule_readsCurrentAndPrevious_andRefusesNewer_inOneLine() {
    assertThat(Formats.readable(0)).isTrue();
    assertThat(Formats.readable(Formats.CURRENT)).isTrue();
    assertThat(Formats.readable(Formats.OLDEST_READ)).isTrue();
    assertThat(Formats.readable(-1)).isFalse();
    assertThat(Formats.readable(Formats.CURRENT + 1)).isFalse();
    assertThat(Formats.problem("GroupSnapshot", Formats.CURRENT + 1)).isEqualTo("is a GroupSnapshot of format "
        + "version " + (Formats.CURRENT + 1) + ", which this groupsnap does not read (it reads " + Formats.range()
        + "): written by a newer groupsnap");
  }

  @Test
  void stamp_writesTheCurrentVersion_overAnyOther_andLeavesARecordThatStandsForItAsItIs() {
    GroupSpec unversioned = GroupSpec.newBuilder().setName("orders").build();
    assertThat(Formats.effective(Formats.stamp(unversioned).getFormatVersion())).isEqualTo(Formats.CURRENT);
    GroupSpec current = unversioned.toBuilder().setFormatVersion(Formats.CURRENT).build();
    assertThat(Formats.stamp(current)).isSameAs(current);
    assertThat(Formats.stamp(unversioned.toBuilder().setFormatVersion(Formats.CURRENT + 3).build())
        .getFormatVersion()).isEqualTo(Formats.CURRENT);
    assertThat(Formats.version(Formats.stamp(KnownAgent.newBuilder().setAgentId("a").build()))).isZero();
  }

  /** {@code bytes} with a length-delimited field {@link #NEXT_FIELD} appended, as a newer writer would add one. */
  static byte[] withUnknownField(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes);
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeString(NEXT_FIELD, "from 0.2");
    c.flush();
    return out.toByteArray();
  }
}
