package io.groupsnap.agent.writer.grpc;

import io.groupsnap.agent.hub.WriterHub;
import io.groupsnap.agent.kinds.KindException;
import io.groupsnap.agent.kinds.KindOptions;
import io.groupsnap.common.Names;
import java.util.Set;

/**
 * The options of a {@code grpc} writer (see {@link GrpcWriter}).
 *
 * @param application the name the application subscribes to the writer hub with; a valid name
 * @param peer which local processes may subscribe as it ({@link PeerOption}); {@link PeerOption#NONE} when not set
 */
public record GrpcOptions(String application, PeerOption peer) {
  static final String APPLICATION = "application";
  static final Set<String> NAMES = Set.of(APPLICATION, PeerOption.PEER);

  /** An application admitting only the agent's own user as its subscriber. */
  public GrpcOptions(String application) {
    this(application, PeerOption.NONE);
  }

  static GrpcOptions parse(KindOptions o) throws KindException {
    String app = o.get(APPLICATION);
    if (app == null) {
      throw new KindException(KindOptions.field(APPLICATION), "is required: the name the application subscribes "
          + "with");
    }
    if (!Names.isValid(app)) {
      throw new KindException(KindOptions.field(APPLICATION), WriterHub.invalidName(app));
    }
    return new GrpcOptions(app, o.has(PeerOption.PEER) ? PeerOption.parse(o.get(PeerOption.PEER)) : PeerOption.NONE);
  }
}
