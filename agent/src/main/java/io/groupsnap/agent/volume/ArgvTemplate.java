package io.groupsnap.agent.volume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An operator's command: an argument vector whose arguments may hold placeholders such as {@code {volume}} or
 * {@code {target}}. A placeholder is replaced inside its own argument only, in one pass (a value is never scanned
 * again), and the vector is run without a shell, so a value with spaces, quotes, ';' or '$(...)' stays one literal
 * argument. {@code {{} and {@code }}} stand for literal braces. The command itself (the first argument) is an absolute
 * path without placeholders, so that it can be checked before it is ever run. Immutable.
 */
public final class ArgvTemplate {
  /** Every placeholder any command may use. */
  public static final Set<String> ALL = Set.of("volume", "snapshot", "path", "target");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> argv;

  private ArgvTemplate(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  /**
   * Checks an argument vector.
   *
   * @param available the placeholders this command may use
   * @throws IllegalArgumentException naming the argument and what is wrong with it
   */
  public static ArgvTemplate of(List<String> argv, Set<String> available) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("must name a command");
    }
    String exe = argv.get(0);
    if (exe.indexOf('\0') >= 0) { // before Path.of, whose error would quote the whole value
      throw new IllegalArgumentException("the command contains a NUL character");
    }
    if (exe.indexOf('{') >= 0 || exe.indexOf('}') >= 0) {
      throw new IllegalArgumentException("the command itself (" + StorageTools.quote(exe)
          + ") cannot hold placeholders");
    }
    if (!Path.of(exe).isAbsolute()) {
      throw new IllegalArgumentException("command " + StorageTools.quote(exe) + " must be an absolute path");
    }
    Map<String, String> dummy = new HashMap<>();
    available.forEach(p -> dummy.put(p, ""));
    for (int i = 1; i < argv.size(); i++) {
      if (argv.get(i).indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argument " + i + " contains a NUL character");
      }
      try {
        substitute(argv.get(i), dummy);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("argument " + i + " (" + StorageTools.quote(argv.get(i)) + "): "
            + e.getMessage());
      }
    }
    return new ArgvTemplate(argv);
  }

  /**
   * Reads an argument vector written as a JSON array of strings (how a list-valued option is kept in a volume's
   * options).
   *
   * @throws IllegalArgumentException when {@code text} is not such an array
   */
  public static List<String> parseList(String text) {
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      n = null;
    }
    if (n == null || !n.isArray()) {
      throw new IllegalArgumentException("must be a list of arguments, e.g. [/usr/local/bin/snap, create, "
          + "\"{volume}\"] (no shell is used)");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException("every argument must be a string");
      }
      out.add(e.asText());
    }
    return out;
  }

  /** The executable. */
  public Path command() {
    return Path.of(argv.get(0));
  }

  /** The arguments with every placeholder replaced by its value. */
  public List<String> expand(Map<String, String> values) {
    List<String> out = new ArrayList<>(argv.size());
    out.add(argv.get(0));
    for (int i = 1; i < argv.size(); i++) {
      out.add(substitute(argv.get(i), values));
    }
    return out;
  }

  /** The template as written. */
  public List<String> argv() {
    return argv;
  }

  private static String substitute(String arg, Map<String, String> values) {
    StringBuilder out = new StringBuilder(arg.length() + 32);
    int i = 0;
    while (i < arg.length()) {
      char c = arg.charAt(i);
      if (c == '{' && i + 1 < arg.length() && arg.charAt(i + 1) == '{') {
        out.append('{');
        i += 2;
      } else if (c == '}' && i + 1 < arg.length() && arg.charAt(i + 1) == '}') {
        out.append('}');
        i += 2;
      } else if (c == '{') {
        int end = arg.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException("unbalanced '{' (write {{ for a literal brace)");
        }
        String name = arg.substring(i + 1, end);
        String value = values.get(name);
        if (value == null) {
          throw new IllegalArgumentException(ALL.contains(name)
              ? "placeholder {" + name + "} is not available here (available: " + braces(values.keySet()) + ")"
              : "unknown placeholder {" + io.groupsnap.common.Names.printable(name) + "} (available: "
                  + braces(values.keySet()) + "; write {{ and }} for literal braces)");
        }
        out.append(value);
        i = end + 1;
      } else if (c == '}') {
        throw new IllegalArgumentException("unbalanced '}' (write }} for a literal brace)");
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String braces(Set<String> names) {
    return String.join(", ", new TreeSet<>(names).stream().map(n -> "{" + n + "}").toList());
  }

  @Override
  public String toString() {
    return argv.toString();
  }
}
