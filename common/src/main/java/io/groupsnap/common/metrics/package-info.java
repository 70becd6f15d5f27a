/**
 * The daemons' Prometheus metrics, the parts both share: a registry per daemon ({@link
 * io.groupsnap.common.metrics.Meters}), the HTTP endpoint that serves it ({@link
 * io.groupsnap.common.metrics.MetricsEndpoint}), gRPC call latencies ({@link
 * io.groupsnap.common.metrics.GrpcServerMetrics}) and the ZooKeeper connection ({@link
 * io.groupsnap.common.metrics.ZooKeeperMetrics}). What each daemon counts lives in its own {@code metrics} package;
 * docs/operations.md lists every metric.
 */
package io.groupsnap.common.metrics;
