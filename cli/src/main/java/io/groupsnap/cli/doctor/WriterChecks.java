package io.groupsnap.cli.doctor;

import io.groupsnap.agent.config.AgentConfig;
import io.groupsnap.agent.config.Kinds;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterSetup;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.agent.writer.WriterResult;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Each configured writer through its kind's load-time checks; a {@code cgroup} writer also through its PREPARE (the
 * cgroup exists, has a v2 {@code cgroup.freeze} or a v1 freezer, has processes, is not frozen, and its control file is
 * writable by this process), released at once: PREPARE of a cgroup writer freezes nothing. Other kinds' PREPARE talks
 * to the application (a hook command, a subscriber, a database) and is not run.
 */
final class WriterChecks {
  private final HostProbe host;

  WriterChecks(HostProbe host) {
    this.host = host;
  }

  List<Finding> check(AgentConfig config) {
    KindContext context = new KindContext(config.snapshotRoot(), config.stateDir(), host.commands());
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < config.writers().size(); i++) {
      out.add(writer(config.writers().get(i), "writers[" + i + "]", context));
    }
    return out;
  }

  private Finding writer(WriterConfig w, String field, KindContext context) {
    String subject = w.name() + " (" + w.kind() + ")";
    WriterSetup<?> setup;
    try {
      setup = Kinds.setUp(w);
      setup.validate(context);
    } catch (KindException e) {
      return Finding.fail("writer", subject, field + "." + e.field() + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return Finding.fail("writer", subject, field + ".kind: " + e.getMessage());
    }
    if (!w.kind().equals("cgroup")) {
      return Finding.ok("writer", subject, "the kind's load checks pass (PREPARE reaches the application: not run)");
    }
    Writer writer = setup.create(context);
    Writer.TxnContext txn = new Writer.TxnContext("doctor-" + UUID.randomUUID(), 0, w.volumes());
    WriterResult r;
    try {
      r = writer.prepare(txn);
    } finally {
      writer.abort(txn);
    }
    return switch (r.outcome()) {
      case OK -> Finding.ok("cgroup freezer", subject, "PREPARE passes: the cgroup can be frozen by this process");
      case RETRYABLE -> Finding.warn("cgroup freezer", subject, r.reason());
      case NON_RETRYABLE -> Finding.fail("cgroup freezer", subject, r.reason());
    };
  }
}
