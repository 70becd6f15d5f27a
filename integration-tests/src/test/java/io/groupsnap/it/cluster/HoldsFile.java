package io.groupsnap.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The record of every hold a {@link WorkloadNode} took, kept outside its volume so that tests can check G2 (no hold
 * longer than its lease plus a margin) even after the node was killed. One line per event, appended:
 *
 * <pre>
 *   begin TXN START_MILLIS DEADLINE_MILLIS
 *   end TXN START_MILLIS END_MILLIS DEADLINE_MILLIS HOW      HOW: thaw | abort | lease-expired | shutdown
 * </pre>
 *
 * A {@code begin} without its {@code end} is a hold still in place, or one that ended with its process (kill -9).
 */
public final class HoldsFile {
  private final Path file;

  public HoldsFile(Path file) {
    this.file = file;
  }

  /**
   * One hold.
   *
   * @param endMillis -1 while no end was recorded
   * @param how how it ended, or {@code open}
   */
  public record Hold(String txn, long startMillis, long endMillis, long deadlineMillis, String how) {
    public boolean open() {
      return endMillis < 0;
    }

    /** The lease it was given: from the start of the hold to the deadline. */
    public long leaseMillis() {
      return deadlineMillis - startMillis;
    }

    public long heldMillis(long nowMillis) {
      return (open() ? nowMillis : endMillis) - startMillis;
    }

    /** How far past its deadline it ended (or, while open, is now); negative when it ended in time. */
    public long overrunMillis(long nowMillis) {
      return (open() ? nowMillis : endMillis) - deadlineMillis;
    }
  }

  synchronized void begin(String txn, long start, long deadline) throws IOException {
    append(String.format(Locale.ROOT, "begin %s %d %d\n", txn, start, deadline));
  }

  synchronized void end(String txn, long start, long end, long deadline, String how) throws IOException {
    append(String.format(Locale.ROOT, "end %s %d %d %d %s\n", txn, start, end, deadline, how));
  }

  private void append(String line) throws IOException {
    Files.writeString(file, line, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.SYNC);
  }

  /** Every hold in the file, in the order they began; a missing file has none. */
  public List<Hold> read() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    Map<String, Hold> holds = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
      String[] f = line.split(" ");
      if (f.length == 4 && f[0].equals("begin")) {
        holds.put(f[1] + "@" + f[2], new Hold(f[1], Long.parseLong(f[2]), -1, Long.parseLong(f[3]), "open"));
      } else if (f.length == 6 && f[0].equals("end")) {
        holds.put(f[1] + "@" + f[2], new Hold(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]),
            Long.parseLong(f[4]), f[5]));
      } else if (!line.isBlank()) {
        throw new IOException(file + ": unreadable line '" + line + "'");
      }
    }
    return new ArrayList<>(holds.values());
  }

  public Path path() {
    return file;
  }
}
