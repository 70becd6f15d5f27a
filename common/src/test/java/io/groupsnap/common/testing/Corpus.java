package io.groupsnap.common.testing;

import com.google.protobuf.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded message corpus: the bytes a released groupsnap wrote to ZooKeeper and sent to agents, kept under
 * {@code corpus/<release>/} beside this class (see its README). A file is named {@code <MessageType>.<what>.pb};
 * {@code index.txt} lists them, one a line. Tests decode them with today's code to prove a release one minor version
 * back is still understood. Read-only; thread-safe.
 */
public final class Corpus {
  private Corpus() {}

  /** One recorded message. */
  public record Entry(String file, String type, byte[] bytes) {
    /** The message decoded as its type, by today's generated code. */
    public Message decode() {
      try {
        Method parse = Class.forName("io.groupsnap.proto.v1." + type).getMethod("parseFrom", byte[].class);
        return (Message) parse.invoke(null, (Object) bytes);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(file + " does not decode as a " + type + ": " + e, e);
      }
    }
  }

  /** Every file of {@code release} (e.g. "v0.1"), in the index's order. */
  public static List<Entry> load(String release) {
    List<Entry> out = new ArrayList<>();
    for (String file : read(release, "index.txt").lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
      out.add(new Entry(file, file.substring(0, file.indexOf('.')), bytes(release, file)));
    }
    return out;
  }

  /** The files of {@code release} by name. */
  public static Map<String, Entry> byFile(String release) {
    Map<String, Entry> out = new LinkedHashMap<>();
    load(release).forEach(e -> out.put(e.file(), e));
    return out;
  }

  private static String read(String release, String file) {
    return new String(bytes(release, file), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String release, String file) {
    String name = "corpus/" + release + "/" + file;
    try (InputStream in = Corpus.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no corpus file " + name + " on the test classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
