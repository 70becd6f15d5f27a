package io.groupsnap.agent.writer.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.groupsnap.agent.hub.LocalAccounts;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.testing.HostRequirement;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL writer's password: read only from a strict file, and never carried into a reason or a log line, even
 * when the server echoes it back. The server here is a fake that speaks just enough of the protocol to ask for the
 * password in clear text and answer with an error quoting it — what a hostile or careless server could do.
 */
class PasswordFileTest {
  private static final String SECRET = "s3cret-Pa55word";
  @TempDir Path tmp;

  private Path secretFile(String mode) throws IOException {
    Path p = tmp.resolve("pg.password");
    Files.deleteIfExists(p);
    Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(p, SECRET + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    return p;
  }

  @Test
  void aFileOthersCouldRead_orWrite_isRefusedInOneLine() throws Exception {
    assertThat(PasswordFile.read(secretFile("rw-------"))).isEqualTo(SECRET);
    assertThat(PasswordFile.read(secretFile("r--------"))).isEqualTo(SECRET);
    Map<String, String> refused = Map.of(
        "rw-r-----", " is readable by group or others (rw-r-----): chmod 600 it",
        "rw----r--", " is readable by group or others (rw----r--): chmod 600 it",
        "rw--w----", " grants more than read and write to its owner (rw--w----): chmod 600 it",
        "rwx------", " grants more than read and write to its owner (rwx------): chmod 600 it");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      Path p = secretFile(e.getKey());
      assertThat(refusal(p)).isEqualTo(p + e.getValue());
    }
    assertThat(refusal(tmp)).isEqualTo(tmp + " is not a regular file");
    assertThat(refusal(tmp.resolve("none"))).isEqualTo(tmp.resolve("none") + " cannot be read "
        + "(NoSuchFileException)");
  }

  @Test
  void aFileOwnedByAnotherUser_isRefused() throws Exception {
    if (LocalAccounts.agentUid() != 0) {
      HostRequirement.unmet("this test gives a file to another user: not running as root");
    }
    Path p = secretFile("rw-------");
    Files.setAttribute(p, "unix:uid", 65534);
    assertThat(refusal(p)).isEqualTo(p + " is owned by uid 65534, not by the agent's user (uid 0): chown it");
  }

  private static String refusal(Path p) {
    try {
      PasswordFile.read(p);
      return "read";
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  @Test
  void aServerEchoingThePassword_neverGetsItIntoTheReasonOrTheLogs() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    List<String> jul = new ArrayList<>();
    Handler julHandler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        jul.add(r.getMessage() + " " + r.getThrown());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger.getLogger("").addHandler(julHandler);
    try (EchoingServer server = new EchoingServer()) {
      Map<String, String> options = Map.of("host", "127.0.0.1", "port", Integer.toString(server.port()),
          "database", "orders", "user", "app", "passwordFile", secretFile("rw-------").toString());
      PostgresWriter w = new PostgresWriter(new WriterConfig("pg", "postgresql", 0, Set.of(), Duration.ofSeconds(5),
          options), PostgresOptions.parse(options), Clock.systemUTC());
      WriterResult r = w.prepare(new Writer.TxnContext("t1", 1, Set.of()));

      assertThat(server.received()).as("the driver did send the password: the echo is real").isEqualTo(SECRET);
      assertThat(r.ok()).isFalse();
      assertThat(r.reason()).startsWith("cannot connect to app@127.0.0.1:" + server.port() + "/orders: password "
          + "authentication failed for user \"app\" (got '***')");
      assertThat(r.reason()).doesNotContain(SECRET);
    } finally {
      root.detachAppender(logs);
      java.util.logging.Logger.getLogger("").removeHandler(julHandler);
    }
    for (ILoggingEvent e : logs.list) {
      assertThat(e.getFormattedMessage()).doesNotContain(SECRET);
      if (e.getThrowableProxy() != null) {
        assertThat(e.getThrowableProxy().getMessage()).doesNotContain(SECRET);
      }
    }
    assertThat(jul).allSatisfy(line -> assertThat(line).doesNotContain(SECRET));
  }

  /**
   * One connection's worth of a PostgreSQL server: declines TLS and GSS encryption, asks for the password in clear
   * text, and fails the login with a message quoting the password it got.
   */
  private static final class EchoingServer implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final Thread thread = new Thread(this::serve, "echoing-postgres");
    private volatile String received;

    EchoingServer() throws IOException {
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    String received() throws InterruptedException {
      thread.join(Duration.ofSeconds(30).toMillis());
      return received;
    }

    private void serve() {
      try (Socket s = listener.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
          int length = in.readInt();
          int code = in.readInt();
          in.readNBytes(length - 8);
          if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
            break; // the startup message
          }
          out.write('N');
          out.flush();
        }
        DataOutputStream o = new DataOutputStream(out);
        o.writeByte('R');
        o.writeInt(8);
        o.writeInt(3); // AuthenticationCleartextPassword
        o.flush();
        if (in.readByte() != 'p') {
          return;
        }
        byte[] body = in.readNBytes(in.readInt() - 4);
        received = new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
        byte[] fields = ("SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user \"app\" (got '" + received
            + "')\0\0").getBytes(StandardCharsets.UTF_8);
        o.writeByte('E');
        o.writeInt(4 + fields.length);
        o.write(fields);
        o.flush();
      } catch (IOException e) {
        // the driver hung up: received() reports what arrived
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
