package io.groupsnap.cli.command;

import io.groupsnap.cli.support.CliException;
import io.groupsnap.cli.support.ExitCodes;
import io.groupsnap.cli.support.Handshakes;
import io.groupsnap.cli.support.TlsOptions;
import io.groupsnap.common.HostPort;
import io.groupsnap.common.tls.PeerCheck;
import io.groupsnap.common.tls.Role;
import io.groupsnap.common.tls.Transport;
import io.groupsnap.proto.v1.AgentServiceGrpc;
import io.groupsnap.proto.v1.CoordinatorServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code groupsnap health}: asks one daemon's standard gRPC health service for its own service name, as a probe
 * would (docs/operations.md, Health). Prints one line; exit 0 when SERVING, 1 otherwise or when unreachable.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = {"Ask one coordinator or agent whether it is SERVING (the standard gRPC health protocol).",
        "A coordinator is while connected to ZooKeeper (leader or standby); an agent while connected and registered.",
        "Exit 0 when SERVING, 1 when NOT_SERVING or unreachable."})
public final class HealthCommand implements Callable<Integer> {
  static final Duration DEADLINE = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Daemon daemon;

  @Mixin TlsOptions tls;

  /** Which daemon to ask: exactly one. */
  static final class Daemon {
    @Option(names = "--coordinator", paramLabel = "HOST:PORT", required = true,
        description = "A coordinator's address.")
    String coordinator;

    @Option(names = "--agent", paramLabel = "HOST:PORT", required = true, description = "An agent's address.")
    String agent;
  }

  @Override
  public Integer call() throws Exception {
    boolean isAgent = daemon.agent != null;
    String option = isAgent ? "--agent" : "--coordinator";
    String what = isAgent ? "agent" : "coordinator";
    String service = isAgent ? AgentServiceGrpc.SERVICE_NAME : CoordinatorServiceGrpc.SERVICE_NAME;
    String endpoint;
    try {
      endpoint = HostPort.parse(isAgent ? daemon.agent : daemon.coordinator).toString();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
    }
    Transport transport = tls.open();
    ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint, transport.channelCredentials(
        PeerCheck.role(isAgent ? Role.AGENT : Role.COORDINATOR))).disableRetry().build();
    try {
      ServingStatus status = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
      spec.commandLine().getOut().println(what + " " + endpoint + ": " + status);
      return status == ServingStatus.SERVING ? ExitCodes.OK : ExitCodes.FAILED;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new CliException(ExitCodes.FAILED, endpoint + " does not serve " + service + ": is it " + (isAgent ? "an agent" : "a coordinator")
            + "?");
      }
      throw new CliException(ExitCodes.FAILED, "cannot ask the " + what + " at " + endpoint + ": "
          + Handshakes.describe(e.getStatus()).orElse(e.getStatus().getCode().toString()));
    } finally {
      channel.shutdownNow();
      transport.close();
    }
  }
}
