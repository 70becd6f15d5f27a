package io.groupsnap.agent.restore;

import io.groupsnap.agent.volume.Restorer;
import java.nio.file.Path;

/**
 * One volume's restore, checked and not yet started: which capture, where it goes and how.
 *
 * @param volume the volume's name
 * @param kind its kind
 * @param capture where the kept capture is; null when restored from its export
 * @param target where the restored tree goes (resolved; absent or an empty directory)
 * @param restorer how the kind materializes it
 */
record RestorePlan(String volume, String kind, Path capture, Path target, Restorer restorer) {}
