package io.groupsnap.agent.writer.grpc;

import io.groupsnap.agent.hub.PeerRule;
import io.groupsnap.agent.hub.WriterHub;
import io.groupsnap.agent.kinds.KindContext;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.agent.kinds.WriterConfig;
import io.groupsnap.agent.kinds.WriterKind;
import io.groupsnap.agent.writer.Writer;
import io.groupsnap.common.Names;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Kind {@code grpc}: see {@link GrpcWriter}. Needs the agent's writer hub; one writer per application on an agent.
 */
public final class GrpcWriterKind implements WriterKind<GrpcOptions> {
  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public Set<String> options() {
    return GrpcOptions.NAMES;
  }

  @Override
  public GrpcOptions parse(WriterConfig w) throws KindException {
    return GrpcOptions.parse(KindOptions.of(w));
  }

  @Override
  public Set<String> structuredOptions() {
    return Set.of(PeerOption.PEER);
  }

  /** Resolves the user and group names of option {@code peer}; an unknown one is an error naming it. */
  @Override
  public void validate(WriterConfig w, GrpcOptions options, KindContext context) throws KindException {
    options.peer().resolve(w.name());
  }

  @Override
  public boolean needsWriterHub() {
    return true;
  }

  @Override
  public Optional<Claim> claim(WriterConfig w, GrpcOptions options) {
    return Optional.of(new Claim(KindOptions.field(GrpcOptions.APPLICATION), options.application(), "application '"
        + Names.printable(options.application()) + "' is already served by another writer; one writer per "
        + "application"));
  }

  @Override
  public Writer create(WriterConfig w, GrpcOptions options, KindContext context) {
    WriterHub hub = context.writerHub();
    if (hub == null) {
      throw new IllegalStateException("writer " + w.name() + " of kind grpc needs the agent's writer hub");
    }
    PeerRule peers;
    try {
      peers = options.peer().resolve(w.name());
    } catch (KindException e) {
      throw new IllegalStateException("writer " + w.name() + ": " + e.field() + ": " + e.getMessage(), e);
    }
    return new GrpcWriter(w, options, peers, hub, Clock.systemUTC());
  }
}
