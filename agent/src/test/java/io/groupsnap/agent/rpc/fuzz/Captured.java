package io.groupsnap.agent.rpc.fuzz;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** What a handler answered when called directly: a response, or the status it failed with. Single-threaded. */
final class Captured<T> implements StreamObserver<T> {
  T value;
  Status status;
  boolean completed;

  @Override
  public void onNext(T v) {
    if (value != null || status != null) {
      throw new AssertionError("a second answer to a unary call: " + v);
    }
    value = v;
  }

  @Override
  public void onError(Throwable t) {
    if (status != null || completed) {
      throw new AssertionError("an answer after the call ended", t);
    }
    status = Status.fromThrowable(t);
  }

  @Override
  public void onCompleted() {
    if (value == null || status != null) {
      throw new AssertionError("completed without exactly one answer");
    }
    completed = true;
  }

  /** The status the call ended with: OK when it answered. */
  Status.Code code() {
    if (status != null) {
      return status.getCode();
    }
    if (!completed) {
      throw new AssertionError("the call never ended");
    }
    return Status.Code.OK;
  }
}
