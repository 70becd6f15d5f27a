package io.groupsnap.agent.export;

import io.groupsnap.agent.snapshot.AtomicFiles;
import io.groupsnap.proto.v1.MemberExport;
import io.groupsnap.proto.v1.StartExportRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable record of its exports: one file per run under {@code <stateDir>/exports}, holding the request
 * that started them and each volume's {@link MemberExport}, replaced atomically (with an fsync) at every change of
 * state, so that an agent killed mid-export finds what was pending or running when it starts again. Progress counts
 * are written with the state changes only. Not thread-safe: the export manager serialises its calls.
 */
final class ExportJournal {
  private static final Logger log = LoggerFactory.getLogger(ExportJournal.class);
  private static final String SUFFIX = ".export";

  /**
   * One run's exports on this agent.
   *
   * @param request what started them (the latest StartExport that started any)
   * @param exports by volume
   */
  record RunExports(StartExportRequest request, Map<String, MemberExport> exports) {
    RunExports {
      exports = java.util.Collections.unmodifiableMap(new TreeMap<>(exports));
    }
  }

  private final Path dir;

  ExportJournal(Path dir) {
    this.dir = dir;
  }

  /** Every run recorded; a file that cannot be read is logged and left aside (renamed {@code .damaged}). */
  List<RunExports> load() throws IOException {
    List<RunExports> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        try (InputStream in = Files.newInputStream(f)) {
          StartExportRequest req = StartExportRequest.parseDelimitedFrom(in);
          Map<String, MemberExport> exports = new TreeMap<>();
          MemberExport e;
          while ((e = MemberExport.parseDelimitedFrom(in)) != null) {
            exports.put(e.getVolume(), e);
          }
          if (req == null) {
            throw new IOException("empty");
          }
          out.add(new RunExports(req, exports));
        } catch (IOException | RuntimeException e) {
          log.warn("export journal {} cannot be read ({}); left aside as {}.damaged", f, e.toString(),
              f.getFileName());
          Files.move(f, f.resolveSibling(f.getFileName() + ".damaged"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return out;
  }

  void save(RunExports run) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    run.request().writeDelimitedTo(b);
    for (MemberExport e : run.exports().values()) {
      e.writeDelimitedTo(b);
    }
    AtomicFiles.write(file(run.request().getRunId()), b.toByteArray());
  }

  /** Run ids are names (checked at the edge), so they are safe as file names. */
  private Path file(String runId) {
    return dir.resolve(runId + SUFFIX);
  }
}
