package io.groupsnap.dist;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Renders a picocli command tree as one man page (troff, {@code man(7)} macros): the top command's description and
 * exit codes, then a subsection per command that does something, with its synopsis, description, parameters and
 * options. Hidden commands and options are left out, and so are the {@code --help} / {@code --version} options every
 * command repeats. The text comes from the commands' own annotations, so the page never drifts from the CLI.
 *
 * <p>Pure function of its input; not thread-safe only in the sense that picocli's model is not.
 */
public final class ManPage {
  private static final Pattern DEFAULT_VALUE = Pattern.compile(Pattern.quote("${DEFAULT-VALUE}"));
  private static final Pattern CANDIDATES = Pattern.compile(Pattern.quote("${COMPLETION-CANDIDATES}"));

  private final CommandLine root;
  private final List<Section> extraSections;

  /** A section after the commands: title and paragraphs of plain text (escaped when rendered). */
  public record Section(String title, List<String> paragraphs) {}

  public ManPage(CommandLine root, List<Section> extraSections) {
    this.root = root;
    this.extraSections = List.copyOf(extraSections);
  }

  /** The whole page. */
  public String render() {
    CommandSpec spec = root.getCommandSpec();
    String name = spec.name();
    String version = String.join(" ", spec.version());
    StringBuilder out = new StringBuilder();
    out.append(".TH ").append(quoted(name.toUpperCase(java.util.Locale.ROOT))).append(" 1 \"\" ")
        .append(quoted(version)).append(' ').append(quoted(name + " manual")).append('\n');
    out.append(".SH NAME\n").append(escape(name)).append(" \\- ")
        .append(escape(firstSentence(String.join(" ", spec.usageMessage().description())))).append('\n');
    out.append(".SH SYNOPSIS\n").append(".B ").append(escape(name)).append('\n')
        .append("\\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n");
    out.append(".SH DESCRIPTION\n");
    paragraph(out, String.join(" ", spec.usageMessage().description()));
    paragraph(out, "Every command takes --help; " + name + " --version prints the version.");
    out.append(".SH COMMANDS\n");
    for (CommandLine cmd : commands(root)) {
      command(out, cmd);
    }
    Map<String, String> exitCodes = spec.usageMessage().exitCodeList();
    if (!exitCodes.isEmpty()) {
      out.append(".SH \"EXIT STATUS\"\n");
      exitCodes.forEach((code, meaning) -> out.append(".TP\n.B ").append(escape(code.trim())).append('\n')
          .append(escape(meaning.trim())).append('\n'));
    }
    for (Section s : extraSections) {
      out.append(".SH ").append(quoted(s.title().toUpperCase(java.util.Locale.ROOT))).append('\n');
      s.paragraphs().forEach(p -> paragraph(out, p));
    }
    return out.toString();
  }

  /** Every visible command under {@code top} that has a body (leaves and commands that run something), depth first. */
  static List<CommandLine> commands(CommandLine top) {
    List<CommandLine> found = new ArrayList<>();
    Set<CommandLine> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    collect(top, found, seen);
    return found;
  }

  private static void collect(CommandLine cmd, List<CommandLine> found, Set<CommandLine> seen) {
    for (CommandLine sub : cmd.getSubcommands().values()) {   // aliases map to the same CommandLine
      if (!seen.add(sub) || sub.getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      if (runnable(sub) || sub.getSubcommands().isEmpty()) {
        found.add(sub);
      }
      collect(sub, found, seen);
    }
  }

  private static boolean runnable(CommandLine cmd) {
    Object user = cmd.getCommand();
    return user instanceof Runnable || user instanceof java.util.concurrent.Callable<?>;
  }

  private static void command(StringBuilder out, CommandLine cmd) {
    CommandSpec spec = cmd.getCommandSpec();
    out.append(".SS ").append(quoted(spec.qualifiedName())).append('\n');
    Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
    out.append(".nf\n");
    for (String line : help.synopsis(0).strip().split("\n")) {
      out.append(escape(line.stripTrailing())).append('\n');
    }
    out.append(".fi\n");
    paragraph(out, String.join(" ", spec.usageMessage().description()));
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (p.hidden()) {
        continue;
      }
      out.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n")
          .append(escape(describe(p.description(), p.defaultValueString(), p.completionCandidates()))).append('\n');
    }
    for (OptionSpec o : spec.options()) {
      if (o.hidden() || o.usageHelp() || o.versionHelp()) {
        continue;
      }
      out.append(".TP\n").append(optionTerm(o)).append('\n')
          .append(escape(describe(o.description(), o.defaultValueString(), o.completionCandidates()))).append('\n');
    }
  }

  private static String optionTerm(OptionSpec o) {
    StringBuilder term = new StringBuilder();
    String[] names = o.names();
    for (int i = 0; i < names.length; i++) {
      term.append(i == 0 ? "" : ", ").append("\\fB").append(escape(names[i])).append("\\fR");
    }
    if (o.arity().max() > 0) {
      term.append(' ').append("\\fI").append(escape(o.paramLabel())).append("\\fR");
    }
    return term.toString();
  }

  private static String describe(String[] lines, String defaultValue, Iterable<String> candidates) {
    String text = String.join(" ", lines);
    text = DEFAULT_VALUE.matcher(text).replaceAll(java.util.regex.Matcher.quoteReplacement(
        defaultValue == null ? "" : defaultValue));
    if (candidates != null) {
      List<String> all = new ArrayList<>();
      candidates.forEach(all::add);
      text = CANDIDATES.matcher(text).replaceAll(java.util.regex.Matcher.quoteReplacement(String.join(", ", all)));
    }
    return text.replace("%n", " ").strip();
  }

  private static void paragraph(StringBuilder out, String text) {
    String t = text.replace("%n", " ").strip();
    if (!t.isEmpty()) {
      out.append(".PP\n").append(escape(t)).append('\n');
    }
  }

  private static String firstSentence(String text) {
    String t = text.strip();
    int dot = t.indexOf(". ");
    t = dot > 0 ? t.substring(0, dot) : t;
    t = t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    return t.isEmpty() ? t : Character.toLowerCase(t.charAt(0)) + t.substring(1);
  }

  private static String quoted(String text) {
    return "\"" + escape(text).replace("\"", "\\(dq") + "\"";
  }

  /**
   * Text made safe for troff: backslashes and hyphens escaped (so options stay copyable), and a line that would
   * start with a control character ({@code .} or {@code '}) protected by a zero-width character.
   */
  static String escape(String text) {
    String t = text.replace("\\", "\\e").replace("-", "\\-").replace("\n", " ");
    if (t.startsWith(".") || t.startsWith("'")) {
      t = "\\&" + t;
    }
    return t;
  }
}
