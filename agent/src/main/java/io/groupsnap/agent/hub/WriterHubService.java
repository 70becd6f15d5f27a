package io.groupsnap.agent.hub;

import io.groupsnap.proto.v1.ApplicationMessage;
import io.groupsnap.proto.v1.WriterRequest;
import io.groupsnap.proto.v1.WriterServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;

/** The gRPC edge of {@link WriterHub}: turns one Subscribe stream into one {@link Subscription}. */
final class WriterHubService extends WriterServiceGrpc.WriterServiceImplBase {
  private final WriterHub hub;

  WriterHubService(WriterHub hub) {
    this.hub = hub;
  }

  @Override
  public StreamObserver<ApplicationMessage> subscribe(StreamObserver<WriterRequest> out) {
    Peer peer = PeerCredentials.current();
    return new StreamObserver<>() {
      // gRPC delivers one stream's inbound events one at a time, so these need no lock
      private Subscription sub;
      private boolean refused;

      @Override
      public void onNext(ApplicationMessage m) {
        if (refused) {
          return;
        }
        if (sub == null) {
          if (!m.hasIdentity()) {
            refuse(Status.INVALID_ARGUMENT.withDescription("the first message must be a WriterIdentity"));
            return;
          }
          try {
            sub = hub.admit(m.getIdentity(), out, peer);
          } catch (StatusException e) {
            refuse(e.getStatus());
          }
          return;
        }
        if (m.hasAnswer()) {
          sub.answered(m.getAnswer());
        } else {
          sub.end(Status.INVALID_ARGUMENT.withDescription("identity sent twice"));
          hub.ended(sub, "identity sent twice");
          refused = true;
        }
      }

      private void refuse(Status status) {
        refused = true;
        out.onError(status.asRuntimeException());
      }

      @Override
      public void onError(Throwable t) {
        if (sub != null) {
          Status s = Status.fromThrowable(t);
          hub.ended(sub, s.getCode() == Status.Code.CANCELLED ? "the application went away"
              : "stream failed: " + s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription()));
        }
      }

      @Override
      public void onCompleted() {
        if (sub != null) {
          hub.ended(sub, "the application unsubscribed");
          sub.closeStream(null);
        } else if (!refused) {
          out.onCompleted();
        }
      }
    };
  }
}
