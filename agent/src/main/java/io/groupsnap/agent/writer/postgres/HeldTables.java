package io.groupsnap.agent.writer.postgres;

import io.groupsnap.agent.writer.WriterResult;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the tables a writer holds: those its options name, or every user table of the database (ordinary and
 * partitioned tables outside {@code pg_catalog}, {@code information_schema}, {@code pg_toast} and other sessions'
 * temporary schemas), and checks that the connected role may lock each in SHARE mode.
 */
final class HeldTables {
  /** A table to hold: its name as PostgreSQL quotes it (safe to put in a statement), and its OID. */
  record Table(String quotedName, long oid) {}

  /**
   * The tables, or why they cannot be held.
   *
   * @param tables the tables, in OID order (all tables) or in the options' order
   * @param refusal OK, or the reason
   */
  record Resolved(List<Table> tables, WriterResult refusal) {
    static Resolved refused(String reason) {
      return new Resolved(List.of(), WriterResult.nonRetryable(reason));
    }
  }

  private static final Map<String, String> RELKINDS = Map.of("v", "a view", "m", "a materialized view", "f",
      "a foreign table", "S", "a sequence", "i", "an index", "I", "a partitioned index", "c", "a composite type",
      "t", "a TOAST table");

  private HeldTables() {}

  /**
   * Resolves {@code wanted} ({@code [schema.]name}, already validated; empty for every table) in the connected
   * database. Names are bound as parameters and resolved by {@code to_regclass}; the names returned are quoted by
   * the server.
   */
  static Resolved resolve(Connection conn, List<String> wanted) throws SQLException {
    List<Table> found = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    if (wanted.isEmpty()) {
      try (Statement s = conn.createStatement();
          ResultSet r = s.executeQuery("SELECT c.oid, format('%I.%I', n.nspname, c.relname), "
              + "has_table_privilege(c.oid, 'UPDATE,DELETE,TRUNCATE') FROM pg_class c "
              + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
              + "AND c.relpersistence <> 't' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
              + "ORDER BY c.oid")) {
        while (r.next()) {
          found.add(new Table(r.getString(2), r.getLong(1)));
          if (!r.getBoolean(3)) {
            refused.add(r.getString(2));
          }
        }
      }
    } else {
      Array names = conn.createArrayOf("text", wanted.toArray());
      try (PreparedStatement ps = conn.prepareStatement("SELECT t.name, c.oid, c.relkind::text, "
          + "CASE WHEN c.oid IS NOT NULL THEN format('%I.%I', n.nspname, c.relname) END, "
          + "CASE WHEN c.oid IS NOT NULL THEN has_table_privilege(c.oid, 'UPDATE,DELETE,TRUNCATE') END "
          + "FROM unnest(?::text[]) WITH ORDINALITY AS t(name, i) LEFT JOIN pg_class c ON c.oid = to_regclass(t.name) "
          + "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY t.i")) {
        ps.setArray(1, names);
        try (ResultSet r = ps.executeQuery()) {
          while (r.next()) {
            String name = r.getString(1);
            String kind = r.getString(3);
            if (kind == null) {
              return Resolved.refused("table '" + name + "' does not exist in the database");
            }
            if (!kind.equals("r") && !kind.equals("p")) {
              return Resolved.refused("'" + name + "' is " + RELKINDS.getOrDefault(kind, "not a table")
                  + ", not a table");
            }
            Table t = new Table(r.getString(4), r.getLong(2));
            if (found.stream().noneMatch(x -> x.oid() == t.oid())) {
              found.add(t);
            }
            if (!r.getBoolean(5)) {
              refused.add(t.quotedName());
            }
          }
        }
      }
    }
    if (!refused.isEmpty()) {
      return Resolved.refused("the role may not lock " + String.join(", ", refused.subList(0,
          Math.min(5, refused.size()))) + (refused.size() > 5 ? " and " + (refused.size() - 5) + " more" : "")
          + " in SHARE mode (needs UPDATE, DELETE or TRUNCATE privilege on each, or ownership)");
    }
    return new Resolved(List.copyOf(found), WriterResult.OK);
  }
}
