package io.groupsnap.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupsnap.common.Durations;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;

/**
 * Typed reading of the nodes of one configuration source: each reader turns a YAML node into a value or into a
 * {@link ConfigException} whose one line names the source and the field ({@code agent.yaml: volumes[0].path: …}).
 * {@link ConfigLoader} reads the agent's configuration with them.
 */
abstract class FieldReader {
  /** The configuration's name in messages: its file, or what a test or tool calls it. */
  final String source;

  FieldReader(String source) {
    this.source = source;
  }

  final JsonNode required(JsonNode n, String field, String parent) throws ConfigException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw error(parent.isEmpty() ? field : parent + "." + field, "is required");
    }
    return v;
  }

  final void checkFields(String f, JsonNode n, Set<String> known) throws ConfigException {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        String field = (f.isEmpty() ? "" : f + ".") + Names.printable(name);
        throw error(field, "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  final String text(String f, JsonNode n) throws ConfigException {
    if (!n.isValueNode() || n.isNull()) {
      throw error(f, "must be a string");
    }
    String s = n.asText();
    if (s.indexOf('\0') >= 0) {
      throw error(f, "contains a NUL character");
    }
    return s;
  }

  final String name(String f, JsonNode n) throws ConfigException {
    try {
      return Names.require("value", text(f, n));
    } catch (IllegalArgumentException e) {
      throw error(f, e.getMessage());
    }
  }

  /** A label's key: a name, else an error naming the labels (never an unchecked exception). */
  final String labelKey(String key) throws ConfigException {
    try {
      return Names.require("key", key);
    } catch (IllegalArgumentException e) {
      throw error("labels", e.getMessage());
    }
  }

  final HostPort endpoint(String f, JsonNode n) throws ConfigException {
    try {
      return HostPort.parse(text(f, n));
    } catch (IllegalArgumentException e) {
      throw error(f, e.getMessage());
    }
  }

  final boolean bool(String f, JsonNode n) throws ConfigException {
    if (!n.isBoolean()) {
      throw error(f, "must be true or false");
    }
    return n.asBoolean();
  }

  final Duration duration(String f, JsonNode n) throws ConfigException {
    try {
      return Durations.parse(text(f, n));
    } catch (IllegalArgumentException e) {
      throw error(f, e.getMessage());
    }
  }

  final Path absolutePath(String f, JsonNode n) throws ConfigException {
    String s = text(f, n);
    Path p;
    try {
      p = Path.of(s);
    } catch (RuntimeException e) {
      throw error(f, "'" + Names.printable(s) + "' is not a path");
    }
    if (!p.isAbsolute()) {
      throw error(f, "'" + Names.printable(s) + "' must be an absolute path");
    }
    return p.normalize();
  }

  final void requireObject(String f, JsonNode n) throws ConfigException {
    if (!n.isObject()) {
      throw error(f.isEmpty() ? "(top level)" : f, "must be a mapping");
    }
  }

  final void requireArray(String f, JsonNode n) throws ConfigException {
    if (!n.isArray()) {
      throw error(f, "must be a list");
    }
  }

  final ConfigException error(String field, String message) {
    return new ConfigException(source + ": " + (field.isEmpty() ? "" : field + ": ") + message);
  }
}
