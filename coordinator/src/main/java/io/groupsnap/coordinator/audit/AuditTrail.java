package io.groupsnap.coordinator.audit;

import io.groupsnap.common.Printable;
import io.groupsnap.common.tls.Identity;
import io.groupsnap.common.tls.Role;
import io.groupsnap.proto.v1.AuditArgument;
import io.groupsnap.proto.v1.AuditEntry;
import io.groupsnap.proto.v1.AuditOutcome;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records who did what to the cluster, when, and what came of it (DESIGN.md G7: every mutating call leaves an audit
 * entry), in ZooKeeper through an {@link AuditStore}.
 *
 * <p>A call that may act is recorded in two entries: {@link Call#started} before it acts — if that write fails the
 * call is refused ({@link AuditUnavailableException}), so nothing is ever done unaudited, and if the coordinator dies
 * mid-call the request is on record — then {@link Call#finished} once it has ended, naming the first entry. A call
 * refused by the role check is recorded in one entry ({@link #denied}). Entries are written on the calling thread and
 * never from a transaction's lane: a group snapshot's STARTED entry is written before its transaction is submitted
 * (before PREPARE) and its outcome after the decision, so no audit write falls inside a freeze window.
 *
 * <p>Every value an entry keeps from outside — the identity's name, arguments, reasons — is escaped and bounded
 * ({@link Printable}). Thread-safe.
 */
public final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  /** How many characters of a reason an entry keeps. */
  static final int REASON_CHARS = 300;

  private final AuditStore store;
  private final Clock clock;
  private final String coordinator;

  /** @param coordinator the endpoint of this coordinator, named in every entry it writes */
  public AuditTrail(AuditStore store, Clock clock, String coordinator) {
    this.store = store;
    this.clock = clock;
    this.coordinator = coordinator;
  }

  public Clock clock() {
    return clock;
  }

  /** A call about to be made; nothing is written until {@link Call#started}. */
  public Call call(Identity who, String method, AuditArguments arguments) {
    return new Call(who, method, arguments.build());
  }

  /**
   * Records a call the role check refused (one entry, outcome DENIED). Called by the access check of any
   * coordinator, leader or standby. A failed write is logged: the call is refused anyway, nothing was done.
   */
  public void denied(Identity who, String method, String reason) {
    AuditEntry e = entry(who, method, List.of()).setOutcome(AuditOutcome.AUDIT_DENIED)
        .setReason(Printable.escapeAndCut(reason, REASON_CHARS)).build();
    try {
      store.append(e);
    } catch (Exception ex) {
      log.warn("audit trail unavailable: the denied call {} by {} is not recorded: {}", method,
          Printable.value(who.name()), ex.toString());
    }
  }

  private AuditEntry.Builder entry(Identity who, String method, List<AuditArgument> arguments) {
    return AuditEntry.newBuilder().setAtMillis(clock.millis()).setIdentity(Printable.value(who.name()))
        .addAllRoles(who.roles().stream().sorted().map(Role::label).toList()).setMethod(method)
        .addAllArguments(arguments).setCoordinator(coordinator);
  }

  /** One audited call: its STARTED entry, then its outcome entry. Used by one thread at a time. */
  public final class Call {
    private final Identity who;
    private final String method;
    private final List<AuditArgument> arguments;
    private String request = "";

    private Call(Identity who, String method, List<AuditArgument> arguments) {
      this.who = who;
      this.method = method;
      this.arguments = arguments;
    }

    /**
     * Records the request before the call acts.
     *
     * @param groupSnapshotId the group snapshot it is about, or empty
     * @throws AuditUnavailableException when the entry could not be written: the call must not go on
     */
    public void started(String groupSnapshotId) throws AuditUnavailableException {
      AuditEntry e = entry(who, method, arguments).setOutcome(AuditOutcome.AUDIT_STARTED)
          .setGroupSnapshotId(groupSnapshotId).build();
      try {
        request = store.append(e);
      } catch (Exception ex) {
        if (ex instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        log.warn("audit trail unavailable: refusing {} by {}: {}", method, Printable.value(who.name()),
            ex.toString());
        throw new AuditUnavailableException("audit trail unavailable: " + Printable.escapeAndCut(
            ex.getMessage() == null ? ex.toString() : ex.getMessage(), REASON_CHARS), ex);
      }
    }

    /** The STARTED entry's node name, once written. */
    public String request() {
      return request;
    }

    /**
     * Records how the call ended. A failed write is logged: what was done cannot be undone, and its STARTED entry
     * is on record.
     */
    public void finished(AuditOutcome outcome, String reason, String groupSnapshotId) {
      AuditEntry e = entry(who, method, arguments).setOutcome(outcome)
          .setReason(Printable.escapeAndCut(reason == null ? "" : reason, REASON_CHARS))
          .setGroupSnapshotId(groupSnapshotId == null ? "" : groupSnapshotId).setRequest(request).build();
      try {
        store.append(e);
      } catch (Exception ex) {
        log.warn("audit trail unavailable: the outcome {} of {} by {} (request entry {}) is not recorded: {}",
            outcome, method, Printable.value(who.name()), request, ex.toString());
      }
    }
  }
}
