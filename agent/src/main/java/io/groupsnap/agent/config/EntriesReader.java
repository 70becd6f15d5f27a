package io.groupsnap.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupsnap.agent.kinds.VolumeConfig;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.common.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one entry of the agent's {@code volumes:} or {@code writers:}: its name and kind (known kinds only), a
 * volume's path, options and {@code verify:} command, a writer's tier, volumes, timeout, options and, for kinds that
 * take them, commands. Argument vectors and structured options are kept as JSON text that the kind reads back.
 * Errors are one line naming the field ({@code volumes[1].options.capture}); the kinds check their options later
 * ({@link ConfigValidator}).
 */
final class EntriesReader extends FieldReader {
  private static final ObjectMapper LIST_JSON = new ObjectMapper();

  EntriesReader(String source) {
    super(source);
  }

  VolumeConfig volume(String f, JsonNode n) throws ConfigException {
    requireObject(f, n);
    checkFields(f, n, ConfigLoader.VOLUME_FIELDS);
    String name = name(f + ".name", required(n, "name", f));
    String kind = text(f + ".kind", required(n, "kind", f)).toLowerCase(Locale.ROOT);
    if (Kinds.volume(kind) == null) {
      throw error(f + ".kind", "unknown volume kind '" + Names.printable(kind) + "' (known: "
          + String.join(", ", Kinds.volumeKinds()) + ")");
    }
    Path path = absolutePath(f + ".path", required(n, "path", f));
    Map<String, String> options = new LinkedHashMap<>();
    if (n.has("options")) {
      requireObject(f + ".options", n.get("options"));
      for (Iterator<Map.Entry<String, JsonNode>> it = n.get("options").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String field = f + ".options." + Names.printable(e.getKey());
        options.put(e.getKey(), e.getValue().isArray() ? listOption(field, e.getValue()) : text(field, e.getValue()));
      }
    }
    List<String> verify = new ArrayList<>();
    if (n.has("verify")) {
      requireArray(f + ".verify", n.get("verify"));
      if (n.get("verify").isEmpty()) {
        throw error(f + ".verify", "is empty: give the command and its arguments, e.g. [/usr/local/bin/check,"
            + " \"{path}\"]");
      }
      for (int i = 0; i < n.get("verify").size(); i++) {
        JsonNode a = n.get("verify").get(i);
        if (a.isObject()) {
          throw error(f + ".verify[" + i + "]", "is a YAML mapping, not a string: quote placeholders, e.g. \"{path}\"");
        }
        verify.add(text(f + ".verify[" + i + "]", a));
      }
      if (!Path.of(verify.get(0)).isAbsolute()) {
        throw error(f + ".verify[0]", "'" + Names.printable(verify.get(0)) + "' must be an absolute path");
      }
    }
    Duration verifyTimeout = n.has("verifyTimeout") ? duration(f + ".verifyTimeout", n.get("verifyTimeout"))
        : VolumeConfig.VERIFY_TIMEOUT;
    if (verifyTimeout.isNegative() || verifyTimeout.isZero()) {
      throw error(f + ".verifyTimeout", "must be positive");
    }
    return new VolumeConfig(name, kind, path, options, verify, verifyTimeout);
  }

  WriterConfig writer(String f, JsonNode n) throws ConfigException {
    requireObject(f, n);
    Set<String> fields = new TreeSet<>(ConfigLoader.WRITER_FIELDS);
    fields.addAll(Kinds.commandFields());
    checkFields(f, n, fields);
    String name = name(f + ".name", required(n, "name", f));
    String kind = text(f + ".kind", required(n, "kind", f)).toLowerCase(Locale.ROOT);
    WriterKind<?> writerKind = Kinds.writer(kind);
    if (writerKind == null) {
      throw error(f + ".kind", "unknown writer kind '" + Names.printable(kind) + "' (known: "
          + String.join(", ", Kinds.writerKinds()) + ")");
    }
    for (String field : Kinds.commandFields()) {
      if (n.has(field) && !writerKind.commandFields().contains(field)) {
        throw error(f + "." + field, "only writers of kind " + String.join(", ", Kinds.takingCommandField(field))
            + " take commands; kind " + kind + " is set up with options");
      }
    }
    int tier = 0;
    if (n.has("tier")) {
      if (!n.get("tier").isInt() || n.get("tier").asInt() < 0) {
        throw error(f + ".tier", "must be a non-negative integer");
      }
      tier = n.get("tier").asInt();
    }
    Set<String> volumes = new LinkedHashSet<>();
    if (n.has("volumes")) {
      requireArray(f + ".volumes", n.get("volumes"));
      for (int i = 0; i < n.get("volumes").size(); i++) {
        volumes.add(name(f + ".volumes[" + i + "]", n.get("volumes").get(i)));
      }
    }
    Duration timeout = n.has("timeout") ? duration(f + ".timeout", n.get("timeout")) : ConfigLoader.DEFAULT_WRITER_TIMEOUT;
    Map<String, String> options = new LinkedHashMap<>();
    if (n.has("options")) {
      requireObject(f + ".options", n.get("options"));
      for (Iterator<Map.Entry<String, JsonNode>> it = n.get("options").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String field = f + ".options." + Names.printable(e.getKey());
        if (writerKind.commandFields().contains(e.getKey())) {
          throw error(field, ConfigValidator.unknownOption(kind, writerKind.options()));
        }
        options.put(e.getKey(), writerKind.structuredOptions().contains(e.getKey()) && e.getValue().isContainerNode()
            ? json(field, e.getValue()) : text(field, e.getValue()));
      }
    }
    for (String field : writerKind.commandFields()) {
      if (n.has(field)) {
        options.put(field, json(f + "." + field, n.get(field)));
      }
    }
    return new WriterConfig(name, kind, tier, volumes, timeout, options);
  }

  /** A writer field its kind reads as an option, kept as the JSON text of what the file gave. */
  private String json(String f, JsonNode n) throws ConfigException {
    try {
      return LIST_JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw error(f, "cannot be kept: " + e.getOriginalMessage());
    }
  }

  /** A list of strings (an argument vector) kept as its JSON array text; the kind reads it back. */
  private String listOption(String f, JsonNode n) throws ConfigException {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (n.get(i).isObject()) {
        throw error(f + "[" + i + "]", "is a YAML mapping, not a string: quote placeholders, e.g. \"{volume}\"");
      }
      items.add(text(f + "[" + i + "]", n.get(i)));
    }
    try {
      return LIST_JSON.writeValueAsString(items);
    } catch (JsonProcessingException e) {
      throw error(f, "cannot be kept: " + e.getOriginalMessage());
    }
  }
}
