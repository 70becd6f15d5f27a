package io.groupsnap.common.compat;

import com.google.protobuf.Message;
import io.groupsnap.common.Formats;
import io.groupsnap.proto.v1.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the recorded message corpus of release 0.1 ({@code corpus/v0.1/}, see its README): representative records
 * of every kind kept in ZooKeeper and every agent request and response, with realistic values, as this release writes
 * them. Run once, when a release's format is fixed; never again for that release (its files are what that release
 * wrote, and tests of later releases read them):
 * {@code ./mvnw -B -o test -pl common -am -Dtest=CorpusGenerator -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcorpus.out=$PWD/common/src/test/resources/io/groupsnap/common/testing/corpus/v0.1}. Skipped otherwise.
 */
class CorpusGenerator {
  static final String CLUSTER = "3f0c9a52-6d1e-4b7a-9c41-2b8e5f7d1a60";
  static final String TXN = "gs-20261203-101500-a1b2c3";
  static final String ABORTED_TXN = "gs-20261203-101600-d4e5f6";
  static final String RUN = "run-20261203-020000-0f1e2d";
  static final long T0 = 1_764_756_900_000L; // 2026-12-03T10:15:00Z

  @Test
  @EnabledIfSystemProperty(named = "corpus.out", matches = ".+")
  void write() throws Exception {
    Path out = Files.createDirectories(Path.of(System.getProperty("corpus.out")));
    StringBuilder index = new StringBuilder();
    for (Map.Entry<String, Message> e : samples().entrySet()) {
      Files.write(out.resolve(e.getKey()), e.getValue().toByteArray());
      index.append(e.getKey()).append('\n');
    }
    Files.writeString(out.resolve("index.txt"), index, StandardCharsets.UTF_8);
  }

  static Map<String, Message> samples() {
    Map<String, Message> m = new LinkedHashMap<>();
    records(m);
    agentCalls(m);
    return m;
  }

  static TxnHeader header(String txn) {
    return TxnHeader.newBuilder().setClusterId(CLUSTER).setEpoch(7).setTxnId(txn)
        .setProtocolVersion(Formats.CURRENT).build();
  }

  static MemberRecord member(String agent, String volume, MemberState state) {
    return MemberRecord.newBuilder().setAgentId(agent).setVolume(volume).setState(state)
        .setSnapshotPath("/var/lib/groupsnap/snapshots/" + TXN + "/" + volume).setFreezeStartedAtMillis(T0 + 1_200)
        .setTimeToFrozenMillis(85).setSnapshotMillis(T0 + 1_290).setThawedAtMillis(T0 + 1_640).setHeldMillis(440)
        .build();
  }

  static void records(Map<String, Message> m) {
    GroupSnapshot committed = GroupSnapshot.newBuilder().setId(TXN).setState(GroupSnapshotState.COMMITTED)
        .setCreatedAtMillis(T0).setFinishedAtMillis(T0 + 2_050).setEpoch(7).setCoordinator("coord-1.example:7400")
        .addMembers(member("db-1", "pgdata", MemberState.MEMBER_COMMITTED))
        .addMembers(member("db-1", "wal", MemberState.MEMBER_COMMITTED))
        .addMembers(member("app-2", "uploads", MemberState.MEMBER_COMMITTED).toBuilder()
            .setCheck(CaptureCheck.newBuilder().setAgentId("app-2").setVolume("uploads")
                .setCondition(CaptureCondition.CAPTURE_PRESENT).setDepth(CheckDepth.CHECK_DEPTH_CONTENT)
                .setCheckedAtMillis(T0 + 86_400_000L)))
        .setFreezeWindowMillis(470).setCoordinatorWindowMillis(520).setPrepareMillis(140)
        .setFreezeTimeoutMillis(5_000).setLeaseMillis(15_000).setFinalized(true).addMissingAgents("batch-9")
        .setGroup("orders").setRunId(RUN).setFormatVersion(Formats.CURRENT).build();
    m.put("GroupSnapshot.txn-committed.pb", committed);
    m.put("GroupSnapshot.manifest.pb", committed.toBuilder().setFinalized(false).build());
    m.put("GroupSnapshot.txn-aborted.pb", GroupSnapshot.newBuilder().setId(ABORTED_TXN)
        .setState(GroupSnapshotState.ABORTED).setCreatedAtMillis(T0 + 60_000).setFinishedAtMillis(T0 + 65_100)
        .setEpoch(7).setCoordinator("coord-1.example:7400")
        .addMembers(MemberRecord.newBuilder().setAgentId("db-1").setVolume("pgdata")
            .setState(MemberState.MEMBER_ABORTED))
        .addMembers(MemberRecord.newBuilder().setAgentId("app-2").setVolume("uploads")
            .setState(MemberState.MEMBER_FAILED).setError("fsfreeze /srv/uploads: device busy"))
        .setFreezeTimeoutMillis(5_000).setLeaseMillis(15_000).setAbortReason("app-2 answered FREEZE without freezing")
        .setAbortMember("app-2").setAbortCause(AbortCause.ABORT_NOT_FROZEN).setFormatVersion(Formats.CURRENT).build());
    // as written before format versions existed: format_version unset (0, read as 1)
    m.put("GroupSnapshot.txn-unversioned.pb", committed.toBuilder().setId("gs-20261120-080000-99aa00")
        .clearFormatVersion().clearGroup().clearRunId().build());
    m.put("AgentRegistration.db-1.pb", AgentRegistration.newBuilder().setAgentId("db-1")
        .setEndpoint("db-1.example:7401")
        .addVolumes(VolumeInfo.newBuilder().setName("pgdata").setKind("btrfs").setPath("/srv/pgdata"))
        .addVolumes(VolumeInfo.newBuilder().setName("wal").setKind("fsfreeze").setPath("/srv/wal"))
        .addWriters(WriterInfo.newBuilder().setName("postgres").setKind("exec").setTier(1))
        .putLabels("role", "db").putLabels("zone", "eu-1").setVersion("0.1.0").setStartedAtMillis(T0 - 3_600_000)
        .setMaxFreezeLeaseMillis(60_000)
        .addExportTargets(ExportTargetInfo.newBuilder().setName("offsite").setKind("restic"))
        .setFormatVersion(Formats.CURRENT).build());
    m.put("KnownAgent.db-1.pb", KnownAgent.newBuilder().setAgentId("db-1").setEndpoint("db-1.example:7401")
        .setFirstSeenAtMillis(T0 - 86_400_000L).setLastSeenAtMillis(T0).build());
    m.put("EpochRecord.epoch.pb", EpochRecord.newBuilder().setEpoch(7).setLeader("coord-1.example:7400")
        .setChangedAtMillis(T0 - 600_000).build());
    m.put("ClusterRecord.cluster.pb", ClusterRecord.newBuilder().setClusterId(CLUSTER)
        .setCreatedAtMillis(T0 - 30L * 86_400_000L).build());
    m.put("AuditEntry.started.pb", AuditEntry.newBuilder().setAtMillis(T0).setIdentity("ops-alice")
        .addRoles("operator").setMethod("CreateGroupSnapshot")
        .addArguments(AuditArgument.newBuilder().setName("group").setValue("orders"))
        .setOutcome(AuditOutcome.AUDIT_STARTED).setCoordinator("coord-1.example:7400").setGroupSnapshotId(TXN)
        .build());
    m.put("AuditEntry.committed.pb", AuditEntry.newBuilder().setAtMillis(T0 + 2_050).setIdentity("ops-alice")
        .addRoles("operator").setMethod("CreateGroupSnapshot").setOutcome(AuditOutcome.AUDIT_COMMITTED)
        .setCoordinator("coord-1.example:7400").setGroupSnapshotId(TXN).setRequest("e-0000000041").build());
    m.put("GroupSpec.orders.pb", GroupSpec.newBuilder().setName("orders").setDescription("order database and uploads")
        .addMembers(GroupMember.newBuilder().setAgentId("db-1"))
        .addMembers(GroupMember.newBuilder().setAgentId("app-2").setVolume("uploads").setOptional(true))
        .addSelectors(LabelSelector.newBuilder().putMatchLabels("role", "cache").setVolume("data"))
        .setFreezeTimeoutMillis(5_000).setLeaseMillis(15_000).setExportTarget("offsite")
        .setLocalRetention(RetentionPolicy.newBuilder().setKeepLast(3).setKeepDaily(7))
        .setExportRetention(RetentionPolicy.newBuilder().setKeepDaily(14).setKeepWeekly(8).setKeepMonthly(12)
            .setKeepWithinMillis(2L * 86_400_000L))
        .setRetry(RetryPolicy.newBuilder().setMaxAttempts(3).setInitialBackoffMillis(5_000)
            .setMaxBackoffMillis(120_000))
        .setTimeZone("Europe/Berlin").setCreatedAtMillis(T0 - 7L * 86_400_000L).setUpdatedAtMillis(T0 - 86_400_000L)
        .setFormatVersion(Formats.CURRENT).build());
    m.put("BackupRun.completed.pb", BackupRun.newBuilder().setId(RUN).setGroup("orders")
        .setState(RunState.RUN_COMPLETED).setEpoch(7).setTrigger(RunTrigger.RUN_SCHEDULED)
        .setScheduledForMillis(T0 - 29_700_000L).setCreatedAtMillis(T0 - 29_699_000L).setFinishedAtMillis(T0)
        .addAttempts(SnapshotAttempt.newBuilder().setGroupSnapshotId(ABORTED_TXN)
            .setState(GroupSnapshotState.ABORTED).setReason("app-2 answered FREEZE without freezing")
            .setStartedAtMillis(T0 - 29_699_000L).setFinishedAtMillis(T0 - 29_694_000L))
        .addAttempts(SnapshotAttempt.newBuilder().setGroupSnapshotId(TXN).setState(GroupSnapshotState.COMMITTED)
            .setStartedAtMillis(T0 - 29_689_000L).setFinishedAtMillis(T0 - 29_687_000L))
        .setGroupSnapshotId(TXN).setExportTarget("offsite")
        .addExports(export("db-1", "pgdata", ExportState.EXPORT_DONE))
        .addExports(export("app-2", "uploads", ExportState.EXPORT_DONE))
        .addEvents(RunEvent.newBuilder().setAtMillis(T0 - 29_694_000L).setMessage("attempt 1 aborted: app-2"))
        .addEvents(RunEvent.newBuilder().setAtMillis(T0).setMessage("every member exported"))
        .setCoordinator("coord-1.example:7400").setFormatVersion(Formats.CURRENT).build());
    m.put("Schedule.orders.pb", Schedule.newBuilder().setGroup("orders").setCron("0 2 * * *")
        .setTimeZone("Europe/Berlin").setStartingDeadlineMillis(300_000).setLastTickMillis(T0 - 29_700_000L)
        .setLastRunId(RUN).setFired(31).setSkipped(1).setMissed(2).setCreatedAtMillis(T0 - 40L * 86_400_000L)
        .setUpdatedAtMillis(T0 - 29_700_000L).setEpoch(7).setFormatVersion(Formats.CURRENT).build());
  }

  static MemberExport export(String agent, String volume, ExportState state) {
    return MemberExport.newBuilder().setAgentId(agent).setVolume(volume).setState(state).setBytesDone(52_428_800)
        .setBytesTotal(52_428_800).setFilesDone(1_204).setFilesTotal(1_204).setStartedAtMillis(T0 - 29_680_000L)
        .setFinishedAtMillis(T0 - 29_600_000L).setRepositorySnapshotId("4f2a9c1e").setAttempts(1).build();
  }

  static void agentCalls(Map<String, Message> m) {
    m.put("PrepareRequest.pb", PrepareRequest.newBuilder().setHeader(header(TXN)).addVolumes("data")
        .setLeaseMillis(15_000).setFreezeWithinMillis(20_000).build());
    m.put("PrepareRequest.unversioned.pb", PrepareRequest.newBuilder()
        .setHeader(header(TXN).toBuilder().clearProtocolVersion()).addVolumes("data").setLeaseMillis(15_000).build());
    m.put("PrepareResponse.pb", PrepareResponse.newBuilder().setOk(true)
        .addVolumes(VolumeInfo.newBuilder().setName("data")).build());
    m.put("PrepareResponse.refused.pb", PrepareResponse.newBuilder().setOk(false).setRetry(Retry.RETRYABLE)
        .setReason("writer postgres is not ready").build());
    m.put("FreezeRequest.pb", FreezeRequest.newBuilder().setHeader(header(TXN)).setLeaseMillis(15_000).build());
    m.put("FreezeResponse.pb", FreezeResponse.newBuilder().setFrozen(true)
        .addCaptured(CapturedVolume.newBuilder().setVolume("data")
            .setSnapshotPath("/var/lib/groupsnap/snapshots/" + TXN + "/data").setSnapshotMillis(T0 + 1_290))
        .setFreezeStartedAtMillis(T0 + 1_200).setTimeToFrozenMillis(85).build());
    m.put("ThawRequest.pb", ThawRequest.newBuilder().setHeader(header(TXN)).build());
    m.put("ThawResponse.pb", ThawResponse.newBuilder().setUnbroken(true).setThawedAtMillis(T0 + 1_640)
        .setHeldMillis(440).setThawMillis(12).build());
    m.put("CommitRequest.pb", CommitRequest.newBuilder().setHeader(header(TXN)).build());
    m.put("CommitResponse.pb", CommitResponse.newBuilder().setKept(1).build());
    m.put("CheckSnapshotRequest.pb", CheckSnapshotRequest.newBuilder().setHeader(header(TXN)).addVolumes("data")
        .setChecksum(true).build());
    m.put("CheckSnapshotResponse.pb", CheckSnapshotResponse.newBuilder().addCaptures(CaptureCheck.newBuilder()
        .setAgentId("a1").setVolume("data").setCondition(CaptureCondition.CAPTURE_UNVERIFIED)
        .setDepth(CheckDepth.CHECK_DEPTH_CONTENT).setCheckedAtMillis(T0 + 5_000)).build());
    m.put("DeleteSnapshotRequest.pb", DeleteSnapshotRequest.newBuilder().setHeader(header(TXN)).build());
    m.put("DeleteSnapshotResponse.pb", DeleteSnapshotResponse.newBuilder().setDeleted(1).build());
    m.put("AbortRequest.pb", AbortRequest.newBuilder().setHeader(header(ABORTED_TXN))
        .setReason("app-2 answered FREEZE without freezing").build());
    m.put("AbortResponse.pb", AbortResponse.newBuilder().setDeleted(1).setWasFrozen(true)
        .setReached(MemberState.MEMBER_FROZEN).setFreezeStartedAtMillis(T0 + 61_200).setTimeToFrozenMillis(90)
        .setHeldMillis(3_900).build());
    m.put("StartExportRequest.pb", StartExportRequest.newBuilder().setHeader(header(TXN)).setRunId(RUN)
        .setGroup("orders").setTarget("offsite").addVolumes("data").build());
    m.put("GetExportRequest.pb", GetExportRequest.newBuilder().setRunId(RUN).build());
    m.put("ExportStatusResponse.running.pb", ExportStatusResponse.newBuilder().addExports(export("a1", "data",
        ExportState.EXPORT_RUNNING).toBuilder().setBytesDone(10_485_760).setFilesDone(200).clearFinishedAtMillis()
        .clearRepositorySnapshotId()).build());
    m.put("ExportStatusResponse.done.pb", ExportStatusResponse.newBuilder()
        .addExports(export("a1", "data", ExportState.EXPORT_DONE)).build());
    m.put("ForgetExportRequest.pb", ForgetExportRequest.newBuilder().setHeader(header(TXN)).setRunId(RUN)
        .setGroup("orders").setTarget("offsite").addRepositorySnapshotIds("4f2a9c1e").build());
    m.put("ForgetExportResponse.pb", ForgetExportResponse.newBuilder().setForgotten(1).build());
  }
}
