package io.groupsnap.agent.manifest;

import java.io.IOException;
import java.io.InputStream;

/** Opens a capture's recorded file manifest for reading; null when the capture has none (it predates manifests). */
@FunctionalInterface
public interface ManifestSource {
  InputStream open() throws IOException;
}
