package io.groupsnap.coordinator.audit;

import io.groupsnap.common.Printable;
import io.groupsnap.common.ZkLayout;
import io.groupsnap.proto.v1.DamagedRecord;
import io.groupsnap.proto.v1.ListAuditResponse;
import io.groupsnap.proto.v1.ListedAuditEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Pages of the audit trail for {@code ListAudit}: the newest entries at or after a time, at most a limit of them,
 * answered oldest first; the page token of an answer (the name of its oldest entry) asks for the entries before it.
 * Reads walk back from the newest entry in pipelined batches and stop at the first entry older than the time asked
 * for, so a short listing costs a few round trips however long the trail. Any coordinator answers (reads only).
 * Thread-safe.
 */
public final class AuditPages {
  /** The most entries one answer holds (and the default). */
  public static final int MAX_PAGE = 1000;
  private static final int BATCH = 100;

  private final AuditStore store;

  public AuditPages(AuditStore store) {
    this.store = store;
  }

  /**
   * @param sinceMillis only entries at or after this time (a damaged one: by its node's mtime); 0 for every entry
   * @param limit at most this many entries, the newest; 0 for {@link #MAX_PAGE}
   * @param pageToken empty, or a previous answer's {@code next_page_token}
   * @throws IllegalArgumentException for a negative limit or time, or a token that is not an entry name
   */
  public ListAuditResponse page(long sinceMillis, int limit, String pageToken) throws Exception {
    if (limit < 0 || sinceMillis < 0) {
      throw new IllegalArgumentException(limit < 0 ? "limit " + limit + " must not be negative"
          : "since_millis " + sinceMillis + " must not be negative");
    }
    if (!pageToken.isEmpty() && !isEntryName(pageToken)) {
      throw new IllegalArgumentException("page_token '" + Printable.value(pageToken) + "' is not an audit entry name");
    }
    int wanted = limit == 0 ? MAX_PAGE : Math.min(limit, MAX_PAGE);
    List<String> names = store.names();
    int end = names.size();
    if (!pageToken.isEmpty()) {
      int at = Collections.binarySearch(names, pageToken);
      end = at >= 0 ? at : -at - 1;
    }
    List<ListedAuditEntry> entries = new ArrayList<>();
    List<DamagedRecord> damaged = new ArrayList<>();
    String oldest = null;
    boolean reachedSince = false;
    while (end > 0 && entries.size() < wanted && !reachedSince) {
      int start = Math.max(0, end - BATCH);
      List<AuditStore.Read> batch = store.read(names.subList(start, end));
      for (int i = batch.size() - 1; i >= 0 && entries.size() < wanted; i--) {
        AuditStore.Read r = batch.get(i);
        if (r.atMillis() < sinceMillis) {
          reachedSince = true;
          break;
        }
        oldest = r.name();
        if (r.entry() != null) {
          entries.add(ListedAuditEntry.newBuilder().setName(r.name()).setEntry(r.entry()).build());
        } else {
          damaged.add(r.damage());
        }
      }
      end = start;
    }
    Collections.reverse(entries);
    Collections.reverse(damaged);
    ListAuditResponse.Builder out = ListAuditResponse.newBuilder().addAllEntries(entries).addAllDamaged(damaged);
    boolean more = !reachedSince && oldest != null && names.indexOf(oldest) > 0;
    if (more) {
      out.setNextPageToken(oldest);
    }
    return out.build();
  }

  private static boolean isEntryName(String s) {
    return s.length() <= 32 && s.startsWith(ZkLayout.AUDIT_ENTRY_PREFIX)
        && s.substring(ZkLayout.AUDIT_ENTRY_PREFIX.length()).chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
