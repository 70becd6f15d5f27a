package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.writer.WriterResult;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns driver and server errors into one-line reasons and decides whether trying again may help. */
final class PgErrors {
  /** {@code lock_not_available}: a NOWAIT lock that was taken, or {@code lock_timeout} ran out. */
  static final String LOCK_NOT_AVAILABLE = "55P03";
  /** {@code query_canceled}: {@code statement_timeout} or a cancel request. */
  static final String QUERY_CANCELED = "57014";

  private PgErrors() {}

  /** The error as one line: the server's primary message and SQLSTATE, or the driver's first line. */
  static String oneLine(SQLException e) {
    String text = null;
    if (e instanceof PSQLException) {
      ServerErrorMessage server = ((PSQLException) e).getServerErrorMessage();
      if (server != null && server.getMessage() != null) {
        text = server.getMessage();
      }
    }
    if (text == null) {
      text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    int nl = text.indexOf('\n');
    if (nl >= 0) {
      text = text.substring(0, nl);
    }
    String state = e.getSQLState();
    return printable(text.strip()) + (state == null ? "" : " (SQLSTATE " + state + ")");
  }

  /** Control characters replaced, at most 300 characters. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 300));
    for (int i = 0; i < text.length() && i < 300; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return text.length() > 300 ? out.append("...").toString() : out.toString();
  }

  /**
   * Whether a later attempt may succeed: connection failures, a server starting or shutting down, timeouts, lock
   * conflicts and resource shortages are passing; missing databases, tables, roles and privileges are not.
   */
  static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    if (state == null || state.length() != 5) {
      return true;
    }
    String cls = state.substring(0, 2);
    return cls.equals("08") || cls.equals("53") || cls.equals("40") || cls.equals("55") || cls.equals("57")
        || cls.equals("58");
  }

  /** A writer answer for {@code e}, with {@code what} saying what was being done. */
  static WriterResult result(String what, SQLException e) {
    String reason = what + ": " + oneLine(e);
    return retryable(e) ? WriterResult.retryable(reason) : WriterResult.nonRetryable(reason);
  }
}
