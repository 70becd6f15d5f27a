package io.groupsnap.coordinator.sim;

import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.MemberRecord;
import java.util.Map;
import java.util.TreeMap;

/**
 * G1 for one committed group snapshot: its captures must be a state that a simultaneous power cut of every member
 * could have left. For the ledgers: no credit is captured without its debit, and — when every host is a member — the
 * captured balances plus the amounts debited but not yet credited add up to the money there is. Every capture must
 * also have been taken while its application held (application-consistent).
 */
final class ConsistentCut {
  private ConsistentCut() {}

  /** Null when the cut is consistent, else what is wrong. */
  static String problem(GroupSnapshot manifest, World w) {
    Map<String, Ledger.Capture> cut = new TreeMap<>();
    for (MemberRecord m : manifest.getMembersList()) {
      Ledger.Capture c = w.agent(m.getAgentId()).volume().capture(m.getSnapshotPath());
      if (c == null) {
        return "capture " + m.getSnapshotPath() + " of " + m.getAgentId() + " is missing";
      }
      if (!c.quiesced()) {
        return "capture of " + m.getAgentId() + " was taken while its application was not held";
      }
      cut.put(m.getAgentId(), c);
    }
    for (Ledger.Capture c : cut.values()) {
      Ledger ledger = w.agent(c.host()).ledger();
      for (int i = 0; i < c.credits(); i++) {
        Ledger.Transfer t = ledger.credit(i);
        Ledger.Capture source = cut.get(t.from());
        if (source != null && source.debits() <= t.debitSeq()) {
          return "transfer t" + t.id() + " (" + t.amount() + " from " + t.from() + " to " + t.to()
              + ") is credited in the capture of " + t.to() + " but its debit is not in the capture of " + t.from()
              + " (" + source.debits() + " debits captured; it was debit #" + (t.debitSeq() + 1) + ")";
        }
      }
    }
    return cut.size() == w.agents.size() ? moneyProblem(cut, w) : null;
  }

  /** Balances plus in-flight must equal the total (only meaningful when every host is in the cut). */
  private static String moneyProblem(Map<String, Ledger.Capture> cut, World w) {
    long balances = 0;
    long debited = 0;
    long credited = 0;
    for (Ledger.Capture c : cut.values()) {
      Ledger ledger = w.agent(c.host()).ledger();
      balances += c.balance();
      debited += ledger.debitedAmount(c.debits());
      credited += ledger.creditedAmount(c.credits());
    }
    long inFlight = debited - credited;
    long total = World.INITIAL_BALANCE * w.agents.size();
    return balances + inFlight == total ? null
        : "captured balances " + balances + " + in flight " + inFlight + " != " + total + " in total";
  }
}
