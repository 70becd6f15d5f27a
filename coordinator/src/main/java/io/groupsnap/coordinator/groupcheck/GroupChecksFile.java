package io.groupsnap.coordinator.groupcheck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.groupsnap.common.Durations;
import io.groupsnap.common.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the coordinator's settings file ({@code groupsnap coordinator --config FILE}, YAML), validated completely
 * before the coordinator starts: a problem is one line naming the file and the field ({@code groupVerify.<group>
 * .timeout}), never a stack trace. Today it holds the test restores' group checks:
 *
 * <pre>
 * groupVerify:
 *   "*":                      # every group without an entry of its own, and bare group snapshots
 *     command: [/usr/local/bin/groupsnap, devkit, check-cut, "{paths}"]
 *     timeout: 5m             # default 10m, 1s..24h
 *   ledger:                   # the group named ledger
 *     command: [/etc/groupsnap/check-ledger, --strict, "{paths}"]
 * </pre>
 *
 * Unknown fields are errors (a misspelt {@code timout:} would otherwise be ignored). Stateless.
 */
public final class GroupChecksFile {
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final Set<String> TOP = Set.of("groupVerify");
  private static final Set<String> CHECK = Set.of("command", "timeout");

  private GroupChecksFile() {}

  /** Loads and validates the file; IllegalArgumentException with one line naming the file and field. */
  public static GroupChecks load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /** Parses and validates YAML text; {@code source} names it in errors. */
  public static GroupChecks parse(String source, String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": not valid YAML: " + oneLine(e.getOriginalMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return GroupChecks.NONE;
    }
    try {
      return read(root);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }

  private static GroupChecks read(JsonNode root) {
    requireFields("", root, TOP);
    JsonNode groups = root.path("groupVerify");
    if (groups.isMissingNode() || groups.isNull()) {
      return GroupChecks.NONE;
    }
    if (!groups.isObject()) {
      throw new IllegalArgumentException("groupVerify: must be a map of group name (or \"*\") to a check");
    }
    Map<String, GroupChecks.Check> checks = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = groups.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      String at = "groupVerify." + Names.printable(key);
      if (!key.equals(GroupChecks.ANY_GROUP) && !Names.isValid(key)) {
        throw new IllegalArgumentException(at + ": not a group name (nor \"*\")");
      }
      checks.put(key, check(at, key, e.getValue()));
    }
    return new GroupChecks(checks);
  }

  private static GroupChecks.Check check(String at, String key, JsonNode n) {
    requireFields(at, n, CHECK);
    JsonNode command = n.path("command");
    if (!command.isArray() || command.isEmpty()) {
      throw new IllegalArgumentException(at + ".command: must be a list of arguments (the program first), e.g. "
          + "[/usr/local/bin/check, \"{paths}\"]");
    }
    List<String> argv = new ArrayList<>();
    for (int i = 0; i < command.size(); i++) {
      JsonNode a = command.get(i);
      if (!a.isTextual() && !a.isNumber()) {
        throw new IllegalArgumentException(at + ".command[" + i + "]: must be a string");
      }
      argv.add(a.asText());
    }
    Duration timeout = GroupChecks.DEFAULT_TIMEOUT;
    JsonNode t = n.path("timeout");
    if (!t.isMissingNode() && !t.isNull()) {
      try {
        timeout = Durations.parse(t.asText());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ".timeout: '" + Names.printable(t.asText()) + "': "
            + e.getMessage());
      }
      if (timeout.compareTo(GroupChecks.MIN_TIMEOUT) < 0 || timeout.compareTo(GroupChecks.MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(at + ".timeout: '" + Names.printable(t.asText())
            + "' is outside 1s..24h");
      }
    }
    return new GroupChecks.Check(key, argv, timeout);
  }

  private static void requireFields(String at, JsonNode n, Set<String> allowed) {
    if (!n.isObject()) {
      throw new IllegalArgumentException((at.isEmpty() ? "the file" : at) + ": must be a map with "
          + String.join(", ", allowed.stream().sorted().toList()));
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException((at.isEmpty() ? "" : at + ".") + Names.printable(f)
            + ": unknown field (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }
}
