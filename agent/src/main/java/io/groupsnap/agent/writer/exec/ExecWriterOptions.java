package io.groupsnap.agent.writer.exec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.common.Names;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of an {@code exec} writer (see {@link ExecWriter}): per-phase commands, or a hook directory.
 *
 * <p>The commands and {@code retryableExitCodes} are fields of the writer itself in the configuration file
 * ({@code freeze: [/usr/local/bin/app, freeze]}); the loader keeps each as the JSON text of what the file gave, under
 * its own name, beside {@code hookDir} from {@code options:}. Errors name the field as written
 * ({@code freeze[1]}, {@code options.hookDir}).
 *
 * @param prepare run at prepare; empty for none
 * @param freeze returns once the application holds its writes; empty with a hook directory
 * @param thaw releases the hold; empty with a hook directory
 * @param abort run when the transaction aborts; empty for none
 * @param retryableExitCodes exit codes that mean "try again later"; other non-zero codes are final
 * @param hookDir the hook directory; null with commands
 * @param preRestore stops the application before an in-place restore; empty: such restores are refused
 * @param postRestore starts it again after one; empty for none
 * @param mode how hooks are run: a process per phase, or one per transaction started at PREPARE (a session)
 */
public record ExecWriterOptions(List<String> prepare, List<String> freeze, List<String> thaw, List<String> abort,
    Set<Integer> retryableExitCodes, Path hookDir, List<String> preRestore, List<String> postRestore, Mode mode) {
  /** Option naming the hook directory. */
  public static final String HOOK_DIR = "hookDir";
  /** Option choosing the {@link Mode}. */
  public static final String MODE = "mode";

  /** How the commands or hooks are run ({@code options.mode}). */
  public enum Mode {
    /** A process per phase, told the phase by its arguments and environment (the default). */
    PROCESS,
    /**
     * One process per hook and transaction, started at PREPARE and told {@code freeze}, {@code thaw} or
     * {@code abort} on its standard input ({@link ExecSession}): FREEZE costs a pipe write, not a process start.
     */
    SESSION
  }
  /** The writer's own fields that are this kind's options. */
  static final Set<String> COMMAND_FIELDS = Set.of("prepare", "freeze", "thaw", "abort", "retryableExitCodes",
      "preRestore", "postRestore");
  /** EX_TEMPFAIL from sysexits.h: "try again later"; retryable unless the writer lists others. */
  public static final int EX_TEMPFAIL = 75;
  private static final ObjectMapper JSON = new ObjectMapper();

  public ExecWriterOptions {
    prepare = List.copyOf(prepare);
    freeze = List.copyOf(freeze);
    thaw = List.copyOf(thaw);
    abort = List.copyOf(abort);
    retryableExitCodes = Set.copyOf(retryableExitCodes);
    preRestore = List.copyOf(preRestore);
    postRestore = List.copyOf(postRestore);
    mode = mode == null ? Mode.PROCESS : mode;
  }

  /** The same options, a process per phase. */
  public ExecWriterOptions(List<String> prepare, List<String> freeze, List<String> thaw, List<String> abort,
      Set<Integer> retryableExitCodes, Path hookDir, List<String> preRestore, List<String> postRestore) {
    this(prepare, freeze, thaw, abort, retryableExitCodes, hookDir, preRestore, postRestore, Mode.PROCESS);
  }

  /** The same options without restore commands (the record's shape before in-place restores). */
  public ExecWriterOptions(List<String> prepare, List<String> freeze, List<String> thaw, List<String> abort,
      Set<Integer> retryableExitCodes, Path hookDir) {
    this(prepare, freeze, thaw, abort, retryableExitCodes, hookDir, List.of(), List.of());
  }

  /** Commands for freeze and thaw only; exit code 75 retryable. */
  public static ExecWriterOptions commands(List<String> freeze, List<String> thaw) {
    return new ExecWriterOptions(List.of(), freeze, thaw, List.of(), Set.of(EX_TEMPFAIL), null);
  }

  /** The hooks of {@code dir}; exit code 75 retryable. */
  public static ExecWriterOptions hooks(Path dir) {
    return new ExecWriterOptions(List.of(), List.of(), List.of(), List.of(), Set.of(EX_TEMPFAIL), dir);
  }

  /** One session command ({@link Mode#SESSION}), started at PREPARE. */
  public static ExecWriterOptions session(List<String> command) {
    return new ExecWriterOptions(List.of(), command, List.of(), List.of(), Set.of(EX_TEMPFAIL), null, List.of(),
        List.of(), Mode.SESSION);
  }

  /** The hooks of {@code dir} in {@link Mode#SESSION}, each started at PREPARE as {@code HOOK session}. */
  public static ExecWriterOptions sessionHooks(Path dir) {
    return new ExecWriterOptions(List.of(), List.of(), List.of(), List.of(), Set.of(EX_TEMPFAIL), dir, List.of(),
        List.of(), Mode.SESSION);
  }

  /** True in {@link Mode#SESSION}. */
  public boolean session() {
    return mode == Mode.SESSION;
  }

  static ExecWriterOptions parse(KindOptions o) throws KindException {
    Map<String, List<String>> commands = new LinkedHashMap<>();
    for (String phase : List.of("freeze", "thaw", "prepare", "abort", "preRestore", "postRestore")) {
      commands.put(phase, argv(o, phase));
    }
    Set<Integer> retryable = exitCodes(o);
    Mode mode = o.choice(MODE, Mode.PROCESS, Mode.values());
    Path dir = null;
    if (mode == Mode.SESSION && !o.has(HOOK_DIR)) {
      if (commands.get("freeze").isEmpty()) {
        throw new KindException("freeze", "is required (the session command, with options.mode session; or "
            + "options." + HOOK_DIR + ")");
      }
      for (String phase : List.of("prepare", "thaw", "abort")) {
        if (!commands.get(phase).isEmpty()) {
          throw new KindException(phase, "cannot be combined with options.mode session: the session command "
              + "(freeze) is told freeze, thaw and abort on its input");
        }
      }
    } else if (!o.has(HOOK_DIR)) {
      for (String phase : List.of("freeze", "thaw")) {
        if (commands.get(phase).isEmpty()) {
          throw new KindException(phase, "is required (or options." + HOOK_DIR + ")");
        }
      }
    } else {
      for (String phase : List.of("prepare", "freeze", "thaw", "abort", "preRestore", "postRestore")) {
        if (!commands.get(phase).isEmpty()) {
          throw new KindException(phase, "cannot be combined with options." + HOOK_DIR
              + ": use per-phase commands or a hook directory, not both");
        }
      }
      dir = hookDirPath(o.get(HOOK_DIR));
    }
    if (commands.get("preRestore").isEmpty() != commands.get("postRestore").isEmpty()) {
      throw new KindException(commands.get("preRestore").isEmpty() ? "preRestore" : "postRestore",
          "is required with " + (commands.get("preRestore").isEmpty() ? "postRestore" : "preRestore")
          + " (what stops the application for an in-place restore, and what starts it again)");
    }
    for (String phase : List.of("prepare", "freeze", "thaw", "abort", "preRestore", "postRestore")) {
      List<String> argv = commands.get(phase);
      if (!argv.isEmpty() && !Path.of(argv.get(0)).isAbsolute()) {
        throw new KindException(phase, "command '" + Names.printable(argv.get(0)) + "' must be an absolute path");
      }
    }
    return new ExecWriterOptions(commands.get("prepare"), commands.get("freeze"), commands.get("thaw"),
        commands.get("abort"), retryable, dir, commands.get("preRestore"), commands.get("postRestore"), mode);
  }

  /** The commands by phase, in the order they are checked; absent ones empty. */
  Map<String, List<String>> commandsByPhase() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put("prepare", prepare);
    out.put("freeze", freeze);
    out.put("thaw", thaw);
    out.put("abort", abort);
    out.put("preRestore", preRestore);
    out.put("postRestore", postRestore);
    return out;
  }

  /** An argument vector: a list of strings, never one string for a shell to split. */
  private static List<String> argv(KindOptions o, String field) throws KindException {
    JsonNode n = json(o, field);
    if (n == null) {
      return List.of();
    }
    if (n.isTextual()) {
      throw new KindException(field, "must be a list of arguments, e.g. [\"/usr/bin/app\", \"freeze\"] (no shell is "
          + "used)");
    }
    if (!n.isArray()) {
      throw new KindException(field, "must be a list");
    }
    if (n.isEmpty()) {
      throw new KindException(field, "must name a command");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode arg = n.get(i);
      String f = field + "[" + i + "]";
      if (!arg.isValueNode() || arg.isNull()) {
        throw new KindException(f, "must be a string");
      }
      if (arg.asText().indexOf('\0') >= 0) {
        throw new KindException(f, "contains a NUL character");
      }
      out.add(arg.asText());
    }
    return out;
  }

  private static Set<Integer> exitCodes(KindOptions o) throws KindException {
    String field = "retryableExitCodes";
    JsonNode codes = json(o, field);
    if (codes == null) {
      return Set.of(EX_TEMPFAIL);
    }
    if (!codes.isArray()) {
      throw new KindException(field, "must be a list");
    }
    Set<Integer> out = new LinkedHashSet<>();
    for (int i = 0; i < codes.size(); i++) {
      JsonNode c = codes.get(i);
      if (!c.isInt() || c.asInt() < 1 || c.asInt() > 255) {
        throw new KindException(field + "[" + i + "]", "must be an exit code from 1 to 255");
      }
      out.add(c.asInt());
    }
    return out;
  }

  /** A command field as the loader kept it (JSON text), or null when the writer has none. */
  private static JsonNode json(KindOptions o, String field) throws KindException {
    String text = o.get(field);
    if (text == null) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new KindException(field, "must be a list of arguments, e.g. [\"/usr/bin/app\", \"freeze\"] (no shell is "
          + "used)");
    }
  }

  private static Path hookDirPath(String dir) throws KindException {
    Path p;
    try {
      p = Path.of(dir);
    } catch (InvalidPathException e) {
      throw new KindException(KindOptions.field(HOOK_DIR), "'" + Names.printable(dir) + "' is not a path");
    }
    if (!p.isAbsolute() || !p.normalize().equals(p) || List.of(dir.split("/")).contains("..")) {
      throw new KindException(KindOptions.field(HOOK_DIR), "must be an absolute path without '.' or '..' (got '"
          + Names.printable(dir) + "')");
    }
    return p;
  }
}
