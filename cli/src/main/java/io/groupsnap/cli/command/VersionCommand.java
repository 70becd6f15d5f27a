package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.OutputOption;
import io.groupsnap.cli.support.Target;
import io.groupsnap.common.Printable;
import io.groupsnap.common.Version;
import io.groupsnap.proto.v1.ClusterStatusRequest;
import io.groupsnap.proto.v1.ClusterStatusResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap version}: this client's version and, when a coordinator answers, the coordinator's (from
 * {@code ClusterStatus}), with a warning on stderr when their major.minor differ. Exit 0 whether or not a
 * coordinator answers (it then says why not); 2 only for a malformed {@code --coordinator} or {@code --cluster}.
 */
@Command(name = "version", mixinStandardHelpOptions = true,
    description = "Print the client's version and the coordinator's (when one answers); warn when their "
        + "major.minor differ. Exit 0 even when no coordinator answers.")
public final class VersionCommand implements Callable<Integer> {
  /**
   * How long the coordinator is given to answer, connection and TLS handshake included: a loaded host took more
   * than 5 s for a first call, and "unreachable" then misled.
   */
  static final Duration DEADLINE = Duration.ofSeconds(15);

  @Spec CommandSpec spec;
  @Mixin Target target;
  @Mixin OutputOption output;

  /** What the coordinator said, or why it said nothing. */
  private record Remote(String endpoint, String version, String unreachable) {}

  @Override
  public Integer call() throws Exception {
    String client = Version.current();
    Remote remote = ask();
    boolean mismatch = remote.version() != null && Version.mismatch(client, remote.version());
    PrintWriter out = spec.commandLine().getOut();
    Printer p = new Printer(output.format, out);
    if (p.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("client", client);
      m.put("coordinator", remote.version());
      m.put("coordinatorEndpoint", remote.endpoint());
      if (remote.unreachable() != null) {
        m.put("coordinatorUnreachable", remote.unreachable());
      }
      m.put("mismatch", mismatch);
      p.json(m);
    } else {
      out.println("client:      " + client);
      out.println("coordinator: " + (remote.unreachable() != null ? "unreachable (" + remote.unreachable() + ")"
          : remote.version().isEmpty() ? "not reported by " + remote.endpoint() + " (a build from before "
              + "coordinators reported it)"
          : remote.version() + " (" + remote.endpoint() + ")"));
    }
    out.flush();
    if (mismatch) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("groupsnap: warning: client " + client + " and coordinator " + remote.version() + " differ in "
          + "major.minor version; use a client of the coordinator's version");
      err.flush();
    }
    return ExitCodes.OK;
  }

  private Remote ask() throws CliException {
    if (!target.given()) {
      return new Remote(null, null, "none given: --coordinator, --zookeeper, GROUPSNAP_COORDINATOR or "
          + "GROUPSNAP_ZOOKEEPER");
    }
    Connection c;
    try {
      c = Connection.open(target);
    } catch (CliException e) {
      if (e.exitCode() == ExitCodes.USAGE) {
        throw e; // a malformed address is bad input, not an unreachable coordinator
      }
      return new Remote(null, null, Printable.line(e.getMessage()));
    }
    try (c) {
      ClusterStatusResponse s = c.call(DEADLINE, stub -> stub.clusterStatus(ClusterStatusRequest.getDefaultInstance()));
      return new Remote(c.endpoint(), Printable.value(s.getCoordinatorVersion()), null);
    } catch (CliException e) {
      return new Remote(c.endpoint(), null, Printable.line(e.getMessage()));
    }
  }
}
