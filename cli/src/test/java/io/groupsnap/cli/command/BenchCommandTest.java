package io.groupsnap.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.cli.output.Printer;
import io.groupsnap.devkit.bench.BenchVolume;
import io.groupsnap.devkit.bench.Figures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's output shapes from given figures: the JSON document and the text rows (no cluster, no timing). */
class BenchCommandTest {
  private static final long MS = 1_000_000;
  private static final Figures TLS = Figures.of(12, "tls", List.of(2 * MS, 4 * MS), List.of(30 * MS, 60 * MS),
      List.of(90 * MS, 140 * MS));
  private static final Figures INSECURE = Figures.of(12, "insecure", List.of(2 * MS), List.of(25 * MS),
      List.of(80 * MS));

  @Test
  void json_holdsOneRowPerMemberCountAndTransport_withEveryFigure() throws Exception {
    StringWriter s = new StringWriter();
    new Printer(Printer.Format.json, new PrintWriter(s, true))
        .json(BenchCommand.json(List.of(TLS, INSECURE), BenchVolume.BTRFS));
    JsonNode doc = new ObjectMapper().readTree(s.toString());
    assertThat(doc.get("volume").asText()).isEqualTo("btrfs");
    assertThat(doc.get("rows")).hasSize(2);
    JsonNode row = doc.get("rows").get(0);
    assertThat(row.get("members").asInt()).isEqualTo(12);
    assertThat(row.get("transport").asText()).isEqualTo("tls");
    assertThat(row.get("samples").asInt()).isEqualTo(2);
    assertThat(row.get("floorMillis").get("p50").asDouble()).isEqualTo(2.0);
    assertThat(row.get("floorMillis").get("p99").asDouble()).isEqualTo(4.0);
    assertThat(row.get("windowMillis").get("p50").asDouble()).isEqualTo(30.0);
    assertThat(row.get("ratio").asDouble()).isEqualTo(15.0);
    assertThat(row.get("overheadMillis").get("p50").asDouble()).isEqualTo(28.0);
    assertThat(row.get("overheadMillis").get("p99").asDouble()).isEqualTo(56.0);
    assertThat(row.get("createToCommittedMillis").get("p99").asDouble()).isEqualTo(140.0);
    assertThat(doc.get("legend").asText()).startsWith("floor: ");
  }

  @Test
  void text_printsEachRow_andWhatTlsCosts_whenBothTransportsRan() {
    StringWriter s = new StringWriter();
    BenchCommand.text(new PrintWriter(s, true)).accept(List.of(TLS, INSECURE));
    assertThat(s.toString().lines().toList()).satisfiesExactly(
        tls -> assertThat(tls).startsWith("12       tls "),
        insecure -> assertThat(insecure).startsWith("12       insecure "),
        cost -> assertThat(cost).startsWith("12       tls-cost").contains("+5.00 p50"));
    StringWriter one = new StringWriter();
    BenchCommand.text(new PrintWriter(one, true)).accept(List.of(TLS));
    assertThat(one.toString().lines()).hasSize(1);
  }
}
