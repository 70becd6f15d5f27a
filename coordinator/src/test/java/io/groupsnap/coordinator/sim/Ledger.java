package io.groupsnap.coordinator.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One host's application state: an account, and append-only logs of the transfers it debited and credited. It lives
 * on the host's disk, so it survives an agent crash. A capture copies nothing: the logs only grow, so the balance and
 * the two log lengths are the whole state at that instant.
 */
final class Ledger {
  /** A transfer between two hosts; {@code debitSeq} is its position in the source's debit log. */
  record Transfer(long id, String from, String to, long amount, int debitSeq) {}

  /**
   * A host's ledger as a capture saw it.
   *
   * @param host whose ledger
   * @param balance its balance
   * @param debits how many debits it had made
   * @param credits how many credits it had received
   * @param quiesced whether the application was held (frozen) when the capture was taken
   */
  record Capture(String host, long balance, int debits, int credits, boolean quiesced) {}

  private final String host;
  private long balance;
  private final List<Transfer> debits = new ArrayList<>();
  private final List<Transfer> credits = new ArrayList<>();

  Ledger(String host, long balance) {
    this.host = host;
    this.balance = balance;
  }

  /** Takes {@code amount} out of this account, towards {@code to}. */
  Transfer debit(long id, String to, long amount) {
    Transfer t = new Transfer(id, host, to, amount, debits.size());
    debits.add(t);
    balance -= amount;
    return t;
  }

  void credit(Transfer t) {
    credits.add(t);
    balance += t.amount();
  }

  Capture capture(boolean quiesced) {
    return new Capture(host, balance, debits.size(), credits.size(), quiesced);
  }

  /** The {@code i}-th credit received. */
  Transfer credit(int i) {
    return credits.get(i);
  }

  long balance() {
    return balance;
  }

  /** The sum of the first {@code n} debits. */
  long debitedAmount(int n) {
    return sum(debits, n);
  }

  /** The sum of the first {@code n} credits. */
  long creditedAmount(int n) {
    return sum(credits, n);
  }

  private static long sum(List<Transfer> log, int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += log.get(i).amount();
    }
    return s;
  }
}
