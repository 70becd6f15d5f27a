package io.groupsnap.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.proto.v1.AgentRegistration;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.RecordKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code agents list}: text and JSON name the same agents, registered, quarantined and missing. */
class AgentsListTest {
  static final AgentRegistration A1 = AgentRegistration.newBuilder().setAgentId("agent-1")
      .setEndpoint("10.0.0.1:7400").setMaxFreezeLeaseMillis(60_000).build();
  static final DamagedRecord BAD = DamagedRecord.newBuilder().setId("agent-x").setKind(RecordKind.RECORD_AGENT)
      .setPath("/groupsnap/default/agents/agent-x").setReason("does not decode").build();
  static final KnownAgent GONE = KnownAgent.newBuilder().setAgentId("agent-3").setEndpoint("10.0.0.3:7400")
      .setFirstSeenAtMillis(1_700_000_000_000L).setLastSeenAtMillis(1_700_000_060_000L).build();

  static String print(Printer.Format format) {
    StringWriter out = new StringWriter();
    new Printer(format, new PrintWriter(out, true)).agents(List.of(A1), List.of(BAD), List.of(GONE));
    return out.toString();
  }

  @Test
  void theJson_listsMissingAgents_withTheirLastSighting_likeTheText() throws Exception {
    JsonNode json = new ObjectMapper().readTree(print(Printer.Format.json));
    assertThat(json.findValuesAsText("id")).containsExactly("agent-1", "agent-x", "agent-3");
    assertThat(json.findValuesAsText("state")).containsExactly("REGISTERED", "UNDECODABLE", "MISSING");
    JsonNode missing = json.get(2);
    assertThat(missing.get("endpoint").asText()).isEqualTo("10.0.0.3:7400");
    assertThat(missing.get("firstSeenAt").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(missing.get("lastSeenAt").asText()).isEqualTo("2023-11-14T22:14:20Z");
    assertThat(json.get(0).get("maxFreezeLeaseMillis").asLong()).isEqualTo(60_000);

    assertThat(print(Printer.Format.text)).contains("agent-1").containsPattern("agent-x +UNDECODABLE")
        .containsPattern("not registered, known to the cluster.*\nagent-3 +10\\.0\\.0\\.3:7400 +last seen ");
  }
}
