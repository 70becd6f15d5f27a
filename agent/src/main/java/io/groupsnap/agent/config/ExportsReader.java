package io.groupsnap.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupsnap.agent.command.CommandRunner;
import io.groupsnap.agent.export.ExportTargetConfig;
import io.groupsnap.agent.export.ExportsConfig;
import io.groupsnap.agent.volume.ArgvTemplate;
import io.groupsnap.common.Names;
import io.groupsnap.common.zkauth.CredentialsFileException;
import io.groupsnap.common.zkauth.SecretFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and checks the agent's export targets: {@code exports:} (a list of {@code {name, kind, ...}}) and {@code
 * exportConcurrency:}. Each kind takes its own fields beside {@code name}, {@code kind} and {@code timeout}:
 * <ul>
 *   <li>{@code restic}: {@code repository}, {@code passwordFile} (0600 or 0400), {@code limitUploadKiB},
 *       {@code createIfMissing}, {@code nice};
 *   <li>{@code exec}: {@code command} and {@code forget}, argument vectors with placeholders, run without a shell.
 * </ul>
 * Errors are one line naming the field ({@code exports[1].passwordFile}).
 */
final class ExportsReader extends FieldReader {
  static final Set<String> COMMON = Set.of("name", "kind", "timeout");
  static final Set<String> RESTIC = Set.of("repository", "passwordFile", "limitUploadKiB", "createIfMissing",
      "nice");
  static final Set<String> EXEC = Set.of("command", "forget");

  ExportsReader(String source) {
    super(source);
  }

  /** The export settings of the top-level mapping {@code root}; {@link ExportsConfig#NONE} when it has none. */
  ExportsConfig read(JsonNode root) throws ConfigException {
    int concurrency = 1;
    if (root.has("exportConcurrency")) {
      JsonNode c = root.get("exportConcurrency");
      if (!c.isInt() || c.asInt() < 1 || c.asInt() > ExportsConfig.MAX_CONCURRENCY) {
        throw error("exportConcurrency", "must be an integer within 1.." + ExportsConfig.MAX_CONCURRENCY);
      }
      concurrency = c.asInt();
    }
    List<ExportTargetConfig> targets = new ArrayList<>();
    if (root.has("exports")) {
      JsonNode es = root.get("exports");
      requireArray("exports", es);
      for (int i = 0; i < es.size(); i++) {
        targets.add(target("exports[" + i + "]", es.get(i)));
      }
    }
    return new ExportsConfig(targets, concurrency);
  }

  private ExportTargetConfig target(String f, JsonNode n) throws ConfigException {
    requireObject(f, n);
    String name = name(f + ".name", required(n, "name", f));
    String kind = text(f + ".kind", required(n, "kind", f)).toLowerCase(Locale.ROOT);
    Set<String> fields = new TreeSet<>(COMMON);
    if (kind.equals(ExportTargetConfig.Restic.KIND)) {
      fields.addAll(RESTIC);
    } else if (kind.equals(ExportTargetConfig.Exec.KIND)) {
      fields.addAll(EXEC);
    } else {
      throw error(f + ".kind", "unknown export kind '" + Names.printable(kind) + "' (known: "
          + String.join(", ", new TreeSet<>(ExportTargetConfig.KINDS)) + ")");
    }
    checkFields(f, n, fields);
    Duration timeout = n.has("timeout") ? duration(f + ".timeout", n.get("timeout"))
        : ExportTargetConfig.DEFAULT_TIMEOUT;
    if (timeout.isZero() || timeout.isNegative()) {
      throw error(f + ".timeout", "must be positive");
    }
    if (kind.equals(ExportTargetConfig.Restic.KIND)) {
      String repository = text(f + ".repository", required(n, "repository", f));
      if (repository.isBlank()) {
        throw error(f + ".repository", "is empty");
      }
      Path password = absolutePath(f + ".passwordFile", required(n, "passwordFile", f));
      long limit = n.has("limitUploadKiB") ? integer(f + ".limitUploadKiB", n.get("limitUploadKiB"), 1,
          Integer.MAX_VALUE) : 0;
      boolean create = n.has("createIfMissing") && bool(f + ".createIfMissing", n.get("createIfMissing"));
      int nice = n.has("nice") ? (int) integer(f + ".nice", n.get("nice"), 0, 19)
          : ExportTargetConfig.Restic.DEFAULT_NICE;
      return new ExportTargetConfig.Restic(name, repository, password, limit, create, nice, timeout);
    }
    ArgvTemplate command = argv(f + ".command", required(n, "command", f),
        ExportTargetConfig.Exec.EXPORT_PLACEHOLDERS);
    ArgvTemplate forget = n.has("forget") ? argv(f + ".forget", n.get("forget"),
        ExportTargetConfig.Exec.FORGET_PLACEHOLDERS) : null;
    return new ExportTargetConfig.Exec(name, command, forget, timeout);
  }

  private long integer(String f, JsonNode n, long min, long max) throws ConfigException {
    if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
      throw error(f, "must be an integer within " + min + ".." + max);
    }
    return n.asLong();
  }

  private ArgvTemplate argv(String f, JsonNode n, Set<String> placeholders) throws ConfigException {
    requireArray(f, n);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (n.get(i).isObject()) {
        throw error(f + "[" + i + "]", "is a YAML mapping, not a string: quote placeholders, e.g. \"{path}\"");
      }
      items.add(text(f + "[" + i + "]", n.get(i)));
    }
    try {
      return ArgvTemplate.of(items, placeholders);
    } catch (IllegalArgumentException e) {
      throw error(f, e.getMessage());
    }
  }

  /**
   * The checks that read the host, for configurations built in code too: names unique, password files present and
   * owner-only, restic installed, every command an executable file.
   */
  static void check(String source, ExportsConfig config, CommandRunner tools) throws ConfigException {
    ExportsReader r = new ExportsReader(source);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < config.targets().size(); i++) {
      ExportTargetConfig t = config.targets().get(i);
      String f = "exports[" + i + "]";
      if (!names.add(t.name())) {
        throw r.error(f + ".name", "duplicate export target name '" + t.name() + "'");
      }
      if (t instanceof ExportTargetConfig.Restic restic) {
        try {
          SecretFiles.read(restic.passwordFile());
        } catch (CredentialsFileException e) {
          throw r.error(f + ".passwordFile", e.getMessage());
        }
        if (tools.which("restic").isEmpty()) {
          throw r.error(f + ".kind", "restic not installed (no restic on the agent's PATH or in "
              + CommandRunner.SYSTEM_DIRS + ")");
        }
      } else if (t instanceof ExportTargetConfig.Exec exec) {
        executable(r, f + ".command", exec.command());
        if (exec.forget() != null) {
          executable(r, f + ".forget", exec.forget());
        }
      }
    }
  }

  private static void executable(ExportsReader r, String f, ArgvTemplate command) throws ConfigException {
    Path exe = command.command();
    if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
      throw r.error(f, "command " + exe + " does not exist or is not executable");
    }
  }
}
