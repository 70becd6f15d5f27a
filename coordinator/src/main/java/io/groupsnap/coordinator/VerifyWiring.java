package io.groupsnap.coordinator;

import io.groupsnap.common.tls.Identity;
import io.groupsnap.coordinator.audit.AuditTrail;
import io.groupsnap.coordinator.election.Leadership;
import io.groupsnap.coordinator.exec.ThreadScheduler;
import io.groupsnap.coordinator.groups.GroupCatalog;
import io.groupsnap.coordinator.restores.AuditedRestores;
import io.groupsnap.coordinator.restores.RestoreCalls;
import io.groupsnap.coordinator.runs.RunCatalog;
import io.groupsnap.coordinator.verification.VerifyPass;
import io.groupsnap.proto.v1.RestoreGroupSnapshotRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The groups' verify policies, wired: a {@link VerifyPass} on its own lane "groupsnap-verify" whose test restores are
 * the RestoreService's own ({@code groupsnap verify RUN --run}: same checks, same verdict recorded on the run, same
 * metric), audited as {@code RestoreGroupSnapshot ... verify=true} with the caller "verify policy of group NAME". The
 * pass acts only while {@code acting} names a term, so it needs no start and stop per leadership. {@link #close} is
 * idempotent.
 */
final class VerifyWiring implements AutoCloseable {
  private final ThreadScheduler lane = new ThreadScheduler("groupsnap-verify");
  private final VerifyPass pass;

  /**
   * @param restores the unaudited test restores ({@code GroupRestore})
   * @param every how often the pass looks (the retention interval)
   */
  VerifyWiring(RestoreCalls restores, AuditTrail trail, GroupCatalog groups, RunCatalog runs,
      Supplier<Optional<Leadership.Term>> acting, Duration every) {
    VerifyPass.Starter starter = (group, runId) -> new AuditedRestores(restores, trail, () -> caller(group),
        () -> acting.get().isPresent()).restore(RestoreGroupSnapshotRequest.newBuilder().setBackupRunId(runId)
        .setVerify(true).build());
    this.pass = new VerifyPass(groups, runs, starter, acting, lane, Clock.systemUTC(), every);
  }

  /** Who the audit trail names for a scheduled verification: no certificate, no role. */
  static Identity caller(String group) {
    return new Identity("verify policy of group " + group, Set.of());
  }

  void start() {
    pass.start();
  }

  /** A run ended: its group may be due now. */
  void poke() {
    pass.poke();
  }

  @Override
  public void close() {
    pass.close();
    lane.close();
  }
}
