package io.groupsnap.agent.txn;

import io.groupsnap.agent.snapshot.AtomicFiles;
import io.groupsnap.common.Names;
import io.groupsnap.proto.v1.JournalEntry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's journal of transactions that may hold something frozen: an entry is written at PREPARE — outside the
 * freeze window, so the window itself has no synchronous disk write — and removed once the hold has ended. A
 * restarted agent thaws every writer and volume of every entry it finds (thaws must therefore be idempotent), and
 * counts those holds as broken: after a restart the agent no longer knows the transaction, so its THAW answer can only
 * be negative.
 */
public interface TxnJournal {
  /** On disk under {@code <stateDir>/journal}, each write fsync'd: survives kill -9. */
  static TxnJournal onDisk(Path stateDir) throws IOException {
    Path dir = stateDir.resolve("journal");
    Files.createDirectories(dir);
    return new TxnJournal() {
      @Override
      public synchronized void put(JournalEntry e) throws IOException {
        AtomicFiles.write(dir.resolve(Names.require("txn id", e.getTxnId()) + ".pb"), e.toByteArray());
      }

      @Override
      public synchronized void remove(String txnId) throws IOException {
        Files.deleteIfExists(dir.resolve(Names.require("txn id", txnId) + ".pb"));
      }

      @Override
      public synchronized List<JournalEntry> entries() throws IOException {
        List<JournalEntry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pb")) {
          for (Path f : files) {
            out.add(JournalEntry.parseFrom(Files.readAllBytes(f)));
          }
        }
        out.sort(Comparator.comparing(JournalEntry::getTxnId));
        return out;
      }
    };
  }

  /** In memory, for simulations (reuse the object across a simulated restart to model durability). */
  static TxnJournal inMemory() {
    return new TxnJournal() {
      private final Map<String, JournalEntry> entries = new TreeMap<>();

      @Override
      public synchronized void put(JournalEntry e) {
        entries.put(e.getTxnId(), e);
      }

      @Override
      public synchronized void remove(String txnId) {
        entries.remove(txnId);
      }

      @Override
      public synchronized List<JournalEntry> entries() {
        return new ArrayList<>(entries.values());
      }
    };
  }

  void put(JournalEntry e) throws IOException;

  void remove(String txnId) throws IOException;

  List<JournalEntry> entries() throws IOException;
}
