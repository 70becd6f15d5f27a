package io.groupsnap.agent.config;

/** A configuration that cannot be used; the message names the file and the field, on one line. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
