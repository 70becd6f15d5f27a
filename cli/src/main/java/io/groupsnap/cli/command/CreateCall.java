package io.groupsnap.cli.command;

import io.groupsnap.cli.output.Printer;
import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.Connection;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.common.Durations;
import io.groupsnap.common.GroupSnapshotIds;
import io.groupsnap.common.Printable;
import io.groupsnap.coordinator.api.MissingAgentsException;
import io.groupsnap.coordinator.rpc.CoordinatorGrpcService;
import io.groupsnap.proto.v1.CreateGroupSnapshotRequest;
import io.groupsnap.proto.v1.GetGroupSnapshotRequest;
import io.groupsnap.proto.v1.GroupSnapshot;
import io.groupsnap.proto.v1.GroupSnapshotState;
import io.groupsnap.proto.v1.KnownAgent;
import io.groupsnap.proto.v1.MissingAgents;
import io.groupsnap.proto.v1.ProgressEvent;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One {@code snapshot create}, from the request to its id (or, with {@code --wait}, its outcome), across a failover.
 *
 * <p>The request carries an id minted here, so the group snapshot can be found again whatever happens to the answer.
 * The id is printed as soon as a coordinator confirms it (the first progress event): on stdout without
 * {@code --wait}; on stderr with it (stdout keeps the final result only, which carries the id too).
 *
 * <ul>
 *   <li>The connection breaks after the id was confirmed: the outcome is read from whichever coordinator answers
 *       ({@link Connection#relocate}: the leader in ZooKeeper, else another coordinator heard of), until final — the
 *       next leader aborts what its predecessor left undecided — or {@code --outcome-timeout} runs out.
 *   <li>It breaks before: the same request is sent again, to the leader wherever it now is, until a coordinator
 *       answers or the timeout runs out. Sending it again is safe: a coordinator that has the id already (recorded,
 *       queued or running) answers ALREADY_EXISTS, which means the first request did start it.
 *   <li>A request that never reached a coordinator (connection refused) with nowhere else to go fails at once, and
 *       says that no group snapshot was started.
 * </ul>
 *
 * Not thread-safe; used once, by one command.
 */
final class CreateCall {
  static final Duration CREATE_DEADLINE = Duration.ofMinutes(15);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int MAX_REDIRECTS = 3;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The call's answer was lost (the coordinator went away or did not answer): another one may know. */
  static final Set<Status.Code> LOST = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
      Status.Code.CANCELLED, Status.Code.UNKNOWN, Status.Code.INTERNAL);

  private final Connection c;
  private final boolean wait;
  private final Printer.Format format;
  private final PrintWriter out;
  private final PrintWriter err;
  private final PrintWriter progress;
  private final Duration outcomeWait;

  /**
   * @param progress where to print live progress, or null
   * @param outcomeWait how long to follow a failover: to learn the outcome, or whether the group snapshot started
   */
  CreateCall(Connection c, boolean wait, Printer.Format format, PrintWriter out, PrintWriter err, PrintWriter progress,
      Duration outcomeWait) {
    this.c = c;
    this.wait = wait;
    this.format = format;
    this.out = out;
    this.err = err;
    this.progress = progress;
    this.outcomeWait = outcomeWait;
  }

  /** Why an attempt ended before a coordinator confirmed the id. */
  private static final class NotStarted extends Exception {
    final StatusRuntimeException status;

    NotStarted(StatusRuntimeException status) {
      super(status);
      this.status = status;
    }
  }

  /**
   * Runs the create.
   *
   * @return the final record with {@code --wait} (or the record a coordinator could not decide, IN_DOUBT); null
   *     without, once the id was printed
   */
  GroupSnapshot run(CreateGroupSnapshotRequest.Builder req) throws CliException {
    req.setId(GroupSnapshotIds.mint(Instant.now(), RANDOM));
    if (wait) {
      c.learnCoordinators();
    }
    long deadline = 0;
    boolean reached = false; // an earlier request may have reached a coordinator (and started the group snapshot)
    int redirects = 0;
    int collisions = 0;
    while (true) {
      StatusRuntimeException e;
      try {
        // after a loss, an attempt is bounded by what is left of the outcome timeout: a silent peer cannot hold it
        Duration left = deadline == 0 ? CREATE_DEADLINE
            : Duration.ofNanos(Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1)));
        return attempt(req.build(), left);
      } catch (NotStarted n) {
        e = n.status;
      }
      String id = req.getId();
      String leader = Connection.redirect(e);
      if (leader != null && redirects < MAX_REDIRECTS && !leader.equals(c.endpoint())) {
        redirects++;
        c.follow(leader);
        continue;
      }
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.ALREADY_EXISTS && reached) {
        return started(id); // our earlier request did start it
      }
      if (code == Status.Code.ALREADY_EXISTS && collisions++ < 3) {
        req.setId(GroupSnapshotIds.mint(Instant.now(), RANDOM)); // someone else's id: nothing of ours started
        continue;
      }
      if (!LOST.contains(code) && leader == null) {
        MissingAgents missing = e.getTrailers() == null ? null
            : e.getTrailers().get(CoordinatorGrpcService.MISSING_AGENTS_KEY);
        if (missing != null) {
          throw new CliException(ExitCodes.USAGE, missing(missing));
        }
        throw c.failure(e); // refused: nothing was started
      }
      if (leader == null) {
        reached |= !neverSent(e); // a NOT_LEADER answer came from a coordinator that started nothing
      }
      if (!reached && !c.canRelocate()) {
        throw new CliException(ExitCodes.FAILED, "cannot reach coordinator at " + c.endpoint() + " ("
            + describe(e) + "): no group snapshot was started");
      }
      if (deadline == 0) {
        deadline = System.nanoTime() + outcomeWait.toNanos();
        err.println("groupsnap: coordinator " + c.endpoint() + " did not answer (" + describe(e) + "); looking for "
            + "the leader for up to " + Durations.format(outcomeWait));
        err.flush();
      } else if (System.nanoTime() > deadline) {
        throw new CliException(ExitCodes.FAILED, reached
            ? "lost coordinator " + c.endpoint() + " before it confirmed group snapshot " + id + " (" + describe(e)
                + "), and no leader could tell within " + Durations.format(outcomeWait) + " whether it started; "
                + "check with 'groupsnap snapshot show " + id + "'"
            : "no leading coordinator could be reached within " + Durations.format(outcomeWait) + " (last tried "
                + c.endpoint() + ": " + describe(e) + "): no group snapshot was started");
      }
      redirects = 0;
      pause();
      c.relocate();
    }
  }

  /**
   * Sends the request once and follows its stream; NotStarted when it ended before the id was confirmed. A stream
   * cut after that (its deadline included) continues as polling for the outcome.
   */
  private GroupSnapshot attempt(CreateGroupSnapshotRequest req, Duration callDeadline)
      throws NotStarted, CliException {
    boolean confirmed = false;
    Context.CancellableContext ctx = Context.current().withCancellation();
    Context previous = ctx.attach();
    try {
      Iterator<ProgressEvent> events = c.stub(callDeadline).createGroupSnapshot(req);
      while (events.hasNext()) {
        ProgressEvent e = events.next();
        if (e.hasResult()) {
          return e.getResult();
        }
        if (!confirmed) {
          confirmed = true;
          if (!wait) {
            announce(req.getId());
            return null;
          }
          if (progress == null) {
            err.println("groupsnap: started " + req.getId() + "; waiting for its outcome");
            err.flush();
          }
        }
        if (progress != null) {
          progress(progress, e);
        }
      }
      throw new CliException(ExitCodes.FAILED, "the coordinator ended the stream without a result");
    } catch (StatusRuntimeException e) {
      if (!confirmed) {
        throw new NotStarted(e);
      }
      // the group snapshot started and its coordinator went away: the cluster decides it; find out what it decided
      err.println("groupsnap: lost the coordinator during " + req.getId() + " (" + e.getStatus().getCode()
          + "); waiting for the outcome");
      err.flush();
      return awaitOutcome(req.getId());
    } finally {
      ctx.detach(previous);
      ctx.cancel(null);
    }
  }

  /** The group snapshot was found started: its id, then (with --wait) its outcome. */
  private GroupSnapshot started(String id) throws CliException {
    if (!wait) {
      announce(id);
      return null;
    }
    err.println("groupsnap: started " + id + "; waiting for its outcome");
    err.flush();
    return awaitOutcome(id);
  }

  static boolean isFinal(GroupSnapshot g) {
    return g.getState() == GroupSnapshotState.COMMITTED || g.getState() == GroupSnapshotState.ABORTED
        || g.getState() == GroupSnapshotState.DELETED;
  }

  /** The exit code of a final record, shared by {@code create --wait} and {@code watch}: 0, 3 aborted, else 1. */
  static int exitCode(GroupSnapshot g) {
    return g.getState() == GroupSnapshotState.COMMITTED ? ExitCodes.OK
        : g.getState() == GroupSnapshotState.ABORTED ? ExitCodes.ABORTED : ExitCodes.FAILED;
  }

  /**
   * Polls the group snapshot's record until it is final, moving to another coordinator when this one does not
   * answer; bounded by the outcome timeout.
   */
  GroupSnapshot awaitOutcome(String id) throws CliException {
    long until = System.nanoTime() + outcomeWait.toNanos();
    GetGroupSnapshotRequest get = GetGroupSnapshotRequest.newBuilder().setId(id).build();
    String last = "no answer yet";
    while (System.nanoTime() < until) {
      try {
        GroupSnapshot g = c.stub(Connection.CALL_DEADLINE).getGroupSnapshot(get);
        if (isFinal(g)) {
          return g;
        }
        last = g.getState().toString();
      } catch (StatusRuntimeException e) {
        last = e.getStatus().getCode().toString();
        if (LOST.contains(e.getStatus().getCode())) {
          c.relocate();
        }
      }
      if (!pause()) {
        break;
      }
    }
    throw new CliException(ExitCodes.FAILED, "the outcome of " + id + " is not known yet (" + last + "); check "
        + "with 'groupsnap snapshot show " + id + "', and retry if it was aborted");
  }

  private void announce(String id) {
    if (format == Printer.Format.json) {
      Map<String, Object> started = new LinkedHashMap<>();
      started.put("id", id);
      started.put("state", "PREPARING");
      started.put("coordinator", c.endpoint());
      new Printer(format, out).json(started);
    } else {
      out.println(id);
    }
    out.flush();
  }

  static void progress(PrintWriter err, ProgressEvent e) {
    if (e.hasPhase()) {
      err.printf(Locale.ROOT, "%s %-10s %s%n", e.getGroupSnapshotId(), e.getPhase().getState(),
          e.getPhase().getDetail());
    } else if (e.hasMember()) {
      err.printf(Locale.ROOT, "    %-16s %-10s %s%n", e.getMember().getAgentId(),
          e.getMember().getState().name().replace("MEMBER_", ""), e.getMember().getDetail());
    }
    err.flush();
  }

  /** One line naming the known agents that are not registered and what the operator can do. */
  static String missing(MissingAgents m) {
    long now = System.currentTimeMillis();
    List<KnownAgent> named = m.getAgentsList().stream().limit(10).toList();
    String who = named.stream().map(k -> Printable.value(k.getAgentId()) + " (last seen "
        + MissingAgentsException.ago(now - k.getLastSeenAtMillis()) + " ago)").collect(Collectors.joining(", "))
        + (m.getAgentsCount() > named.size() ? " and " + (m.getAgentsCount() - named.size()) + " more" : "");
    boolean one = m.getAgentsCount() == 1;
    return who + (one ? " is" : " are") + " known to the cluster but not registered; nothing was started: start "
        + (one ? "it" : "them") + ", name the members with --member, or pass --allow-missing (a retired agent: "
        + "'groupsnap agents forget ID')";
  }

  /** True when the request provably never left this process: no connection to the coordinator could be made. */
  static boolean neverSent(StatusRuntimeException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(StatusRuntimeException e) {
    Status s = e.getStatus();
    String cause = s.getCause() != null && s.getCause().getMessage() != null ? s.getCause().getMessage()
        : s.getDescription();
    return cause == null ? s.getCode().toString() : s.getCode() + ": " + cause;
  }

  /** Waits before polling again (a remote record or leader, bounded by the outcome timeout); false if interrupted. */
  private static boolean pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
