package io.groupsnap.common.testing;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * gRPC methods that send and receive raw bytes, so a test can send a server what no generated stub would: garbage, a
 * truncated message, an oversized one. Shared by the agent's and the coordinator's tests (common's test-jar).
 * Stateless; thread-safe.
 */
public final class RawBytes {
  /** Passes bytes through unchanged, both ways. */
  public static final MethodDescriptor.Marshaller<byte[]> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawBytes() {}

  /** A unary method of raw bytes, e.g. {@code unary("groupsnap.v1.AgentService/Prepare")}. */
  public static MethodDescriptor<byte[], byte[]> unary(String fullMethodName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullMethodName).setRequestMarshaller(MARSHALLER).setResponseMarshaller(MARSHALLER).build();
  }
}
