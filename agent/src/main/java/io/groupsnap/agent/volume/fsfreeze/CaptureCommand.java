package io.groupsnap.agent.volume.fsfreeze;

import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.common.Names;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An operator's capture command: an argument vector in which an argument that is exactly {@code {volume}},
 * {@code {snapshot}}, {@code {path}} or {@code {target}} is replaced by its value. Substitution is by whole arguments
 * only and no shell ever sees the result, so a value is always exactly one argument, whatever characters it holds; a
 * placeholder inside a longer argument ({@code --out={target}}) is refused when the configuration is loaded rather
 * than left unreplaced. The executable is an absolute path. Immutable.
 */
final class CaptureCommand {
  static final Set<String> PLACEHOLDERS = Set.of("volume", "snapshot", "path", "target");
  private static final Pattern EMBEDDED = Pattern.compile("\\{([A-Za-z_]+)}");

  private final List<String> argv;

  private CaptureCommand(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  /**
   * Reads the option's value: a list of strings (a YAML list, kept by the configuration as JSON array text).
   *
   * @throws IllegalArgumentException naming the argument at fault
   */
  static CaptureCommand parse(String text) {
    return of(ArgvTemplate.parseList(text));
  }

  static CaptureCommand of(List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("must name a command");
    }
    String exe = argv.get(0);
    if (exe.indexOf('\0') >= 0) { // before Path.of, whose error would quote the whole value
      throw new IllegalArgumentException("the command contains a NUL character");
    }
    if (!Path.of(exe).isAbsolute() || exe.contains("{")) {
      throw new IllegalArgumentException("the command '" + Names.printable(exe) + "' must be an absolute path "
          + "without placeholders");
    }
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argument " + i + " contains a NUL character");
      }
      Matcher m = EMBEDDED.matcher(a);
      while (m.find()) {
        boolean whole = m.start() == 0 && m.end() == a.length();
        if (whole && !PLACEHOLDERS.contains(m.group(1))) {
          throw new IllegalArgumentException("argument " + i + " ('" + Names.printable(a) + "') is an unknown "
              + "placeholder (known: {volume}, {snapshot}, {path}, {target})");
        }
        if (!whole && PLACEHOLDERS.contains(m.group(1))) {
          throw new IllegalArgumentException("argument " + i + " ('" + Names.printable(a) + "'): placeholders are "
              + "replaced as whole arguments only; pass {" + m.group(1) + "} as an argument of its own");
        }
      }
    }
    return new CaptureCommand(argv);
  }

  Path executable() {
    return Path.of(argv.get(0));
  }

  /** The argument vector with every placeholder argument replaced; {@code values} holds all four. */
  List<String> expand(Map<String, String> values) {
    List<String> out = new java.util.ArrayList<>(argv.size());
    for (String a : argv) {
      if (a.length() > 2 && a.charAt(0) == '{' && a.charAt(a.length() - 1) == '}'
          && values.containsKey(a.substring(1, a.length() - 1))) {
        out.add(values.get(a.substring(1, a.length() - 1)));
      } else {
        out.add(a);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return argv.toString();
  }
}
