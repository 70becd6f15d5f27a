package io.groupsnap.agent.writer.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.hub.LocalAccounts;
import io.groupsnap.agent.hub.PeerRule;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.common.Names;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Option {@code peer} of a {@code grpc} writer: which local processes may subscribe as its application.
 *
 * <pre>
 * options:
 *   application: orders
 *   peer:
 *     users: [orders]          # and/or uids: [1001]
 *     groups: [orders]         # and/or gids: [1001]; the peer's effective (primary) group
 *     executable: /opt/orders/bin/orders   # optional: /proc/PID/exe must be this file
 * </pre>
 *
 * <p>A process is admitted when its uid is listed or its group is listed, and (when given) it runs the executable.
 * Without {@code peer}, or with a {@code peer} that names no user or group, only processes of the agent's own user
 * (root) are admitted: secure by default. Names are resolved when the configuration is loaded; an unknown one is an
 * error naming the entry ({@code options.peer.users[0]}). Checked on the hub's Unix domain socket only: over the
 * loopback TCP fallback there are no peer credentials, and only the agent's user can read the token. Immutable.
 *
 * @param executable absolute, normalized
 */
public record PeerOption(List<Integer> uids, List<String> users, List<Integer> gids, List<String> groups,
    Optional<Path> executable) {
  static final String PEER = "peer";
  /** No {@code peer} option: the agent's user only. */
  static final PeerOption NONE = new PeerOption(List.of(), List.of(), List.of(), List.of(), Optional.empty());
  private static final Set<String> FIELDS = Set.of("uids", "users", "gids", "groups", "executable");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String F = KindOptions.field(PEER);

  public PeerOption {
    uids = List.copyOf(uids);
    users = List.copyOf(users);
    gids = List.copyOf(gids);
    groups = List.copyOf(groups);
  }

  /** Reads the option as the loader keeps it: the JSON text of the mapping. Looks at nothing on the host. */
  static PeerOption parse(String json) throws KindException {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      n = null;
    }
    if (n == null || !n.isObject()) {
      throw new KindException(F, "must be a mapping with any of uids, users, gids, groups, executable");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw new KindException(F + "." + Names.printable(name), "unknown field (known: executable, gids, groups, "
            + "uids, users)");
      }
    }
    Optional<Path> exe = Optional.empty();
    if (n.has("executable")) {
      exe = Optional.of(executable(n.get("executable")));
    }
    return new PeerOption(ids(n, "uids"), names(n, "users"), ids(n, "gids"), names(n, "groups"), exe);
  }

  /**
   * The rule the hub applies, names resolved on this host.
   *
   * @throws KindException naming the entry when a user or group is unknown or the executable does not exist
   */
  PeerRule resolve(String writer) throws KindException {
    String field = F + " of writer " + writer;
    Set<Integer> u = new HashSet<>(uids);
    Set<Integer> g = new HashSet<>(gids);
    for (int i = 0; i < users.size(); i++) {
      try {
        u.add(LocalAccounts.uid(users.get(i)));
      } catch (IllegalArgumentException e) {
        throw new KindException(F + ".users[" + i + "]", e.getMessage());
      }
    }
    for (int i = 0; i < groups.size(); i++) {
      try {
        g.add(LocalAccounts.gid(groups.get(i)));
      } catch (IllegalArgumentException e) {
        throw new KindException(F + ".groups[" + i + "]", e.getMessage());
      }
    }
    if (executable.isPresent() && !Files.isRegularFile(executable.get())) {
      throw new KindException(F + ".executable", executable.get() + " is not an existing file");
    }
    if (u.isEmpty() && g.isEmpty()) {
      u.add(LocalAccounts.agentUid());
    }
    return new PeerRule(u, g, executable, field);
  }

  private static List<Integer> ids(JsonNode n, String name) throws KindException {
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : list(n, name)) {
      if (!e.canConvertToInt() || !e.isIntegralNumber() || e.asInt() < 0) {
        throw new KindException(F + "." + name + "[" + out.size() + "]", "must be a non-negative numeric id");
      }
      out.add(e.asInt());
    }
    return out;
  }

  private static List<String> names(JsonNode n, String name) throws KindException {
    List<String> out = new ArrayList<>();
    for (JsonNode e : list(n, name)) {
      if (!e.isTextual() || e.asText().isBlank()) {
        throw new KindException(F + "." + name + "[" + out.size() + "]", "must be a name");
      }
      out.add(e.asText());
    }
    return out;
  }

  private static List<JsonNode> list(JsonNode n, String name) throws KindException {
    JsonNode v = n.get(name);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new KindException(F + "." + name, "must be a list");
    }
    List<JsonNode> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }

  private static Path executable(JsonNode v) throws KindException {
    String s = v.isTextual() ? v.asText() : "";
    Path p;
    try {
      p = Path.of(s);
    } catch (InvalidPathException e) {
      throw new KindException(F + ".executable", "'" + Names.printable(s) + "' is not a path");
    }
    if (!p.isAbsolute()) {
      throw new KindException(F + ".executable", "must be an absolute path, not '" + Names.printable(s) + "'");
    }
    return p.normalize();
  }
}
