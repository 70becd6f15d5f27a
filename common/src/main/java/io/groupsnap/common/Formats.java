package io.groupsnap.common;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;

/**
 * The format versions of what groupsnap stores in ZooKeeper ({@code format_version} on a record) and sends to agents
 * ({@code protocol_version} in a request's TxnHeader), and the one rule that decides what a reader accepts: the
 * {@link #CURRENT} version and the one before it ({@link #OLDEST_READ}); 0, written before versions existed, reads as
 * 1. Anything newer was written by a newer groupsnap and is refused with a one-line reason rather than misread (a
 * coordinator quarantines such a record as damaged, an agent answers such a request FAILED_PRECONDITION). Writers
 * always write {@link #CURRENT}. Stateless; thread-safe.
 *
 * <p>Adding a field is not a format change (protobuf readers skip unknown fields and keep them on rewrite); a new
 * version is needed only when an older reader would misread a record or request that decodes: a field whose meaning
 * changed, a new state an older reader would act on wrongly.
 */
public final class Formats {
  /** The format this build writes. */
  public static final int CURRENT = 1;
  /** The oldest format this build reads: one version back. */
  public static final int OLDEST_READ = Math.max(1, CURRENT - 1);
  /** The name of the version field on a stored record. */
  public static final String RECORD_FIELD = "format_version";

  private Formats() {}

  /** The version {@code written} stands for: 0 (unversioned, older than the field) is 1. */
  public static int effective(int written) {
    return written == 0 ? 1 : written;
  }

  /** Whether this build reads what was written at format {@code written}. */
  public static boolean readable(int written) {
    int v = effective(written);
    return v >= OLDEST_READ && v <= CURRENT;
  }

  /** The versions this build reads, for messages: "1" or "1 to 2". */
  public static String range() {
    return OLDEST_READ == CURRENT ? Integer.toString(CURRENT) : OLDEST_READ + " to " + CURRENT;
  }

  /**
   * Why a reader of this build cannot take a record written at format {@code written}, as the predicate of one line
   * (a damaged record's reason: "is a GroupSnapshot of format version 2, ..."), or null when it can.
   *
   * @param type the record's message type, e.g. "GroupSnapshot"
   */
  public static String problem(String type, int written) {
    if (readable(written)) {
      return null;
    }
    int v = effective(written);
    String article = "AEIOU".indexOf(type.charAt(0)) >= 0 ? "an " : "a ";
    return "is " + article + type + " of format version " + v + ", which this groupsnap does not read (it reads "
        + range() + "): written by " + (v > CURRENT ? "a newer" : "an older") + " groupsnap";
  }

  /** The {@code format_version} of a stored record; 0 when it has none or the message has no such field. */
  public static int version(MessageOrBuilder record) {
    FieldDescriptor f = record.getDescriptorForType().findFieldByName(RECORD_FIELD);
    return f == null ? 0 : (Integer) record.getField(f);
  }

  /**
   * {@code record} as a writer of this build writes it: with its {@code format_version} set to {@link #CURRENT} unless
   * it already stands for it (0 while {@link #CURRENT} is 1: the record is then returned as it is, byte for byte). A
   * store applies this to every record it writes, so that a record read at an older version, or one a client built
   * with any version, is written at the current one. As it is when the message has no such field.
   */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T stamp(T record) {
    FieldDescriptor f = record.getDescriptorForType().findFieldByName(RECORD_FIELD);
    if (f == null || effective(version(record)) == CURRENT) {
      return record;
    }
    return (T) record.toBuilder().setField(f, CURRENT).build();
  }
}
