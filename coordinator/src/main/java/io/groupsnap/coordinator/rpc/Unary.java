package io.groupsnap.coordinator.rpc;

import io.grpc.stub.StreamObserver;

/** How every coordinator service answers a unary call: the result, or the domain exception as a gRPC status. */
final class Unary {
  private Unary() {}

  /** A call that may fail with a domain exception. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws Exception;
  }

  /** Runs {@code call} and answers {@code out} with its result, or with its exception mapped to a status. */
  static <T> void answer(StreamObserver<T> out, Call<T> call) {
    T result;
    try {
      result = call.run();
    } catch (Exception e) {
      out.onError(CoordinatorGrpcService.toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
