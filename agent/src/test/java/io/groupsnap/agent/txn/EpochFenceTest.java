package io.groupsnap.agent.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EpochFenceTest {
  @Test
  void aHigherEpoch_isAdoptedOnlyOnceTheClusterConfirmsIt() throws Exception {
    EpochFence fence = new EpochFence(EpochFence.Store.inMemory(), "c");
    AtomicLong cluster = new AtomicLong(3);
    fence.confirmWith(cluster::get);
    fence.admit(new TxnRef("c", 3, "gs-1"));
    assertThatThrownBy(() -> fence.admit(new TxnRef("c", Long.MAX_VALUE, "gs-2")))
        .isInstanceOf(FencedException.class).hasMessageContaining("ahead of the cluster's epoch 3");
    assertThat(fence.highest()).isEqualTo(3);
    fence.admit(new TxnRef("c", 3, "gs-3")); // real leaders are not locked out
    cluster.set(4);
    fence.admit(new TxnRef("c", 4, "gs-4"));
    assertThatThrownBy(() -> fence.admit(new TxnRef("c", 3, "gs-5"))).hasMessageContaining("stale epoch 3");
  }

  @Test
  void anUnreachableAuthority_refusesRatherThanGuesses() {
    EpochFence fence;
    try {
      fence = new EpochFence(EpochFence.Store.inMemory(), "c");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    fence.confirmWith(() -> {
      throw new IllegalStateException("ConnectionLoss");
    });
    assertThatThrownBy(() -> fence.admit(new TxnRef("c", 1, "gs-1"))).isInstanceOf(FencedException.class)
        .hasMessageContaining("cannot confirm epoch 1");
  }

  @Test
  void anObservedEpoch_fencesTheOldLeaderBeforeAnyRequest() throws Exception {
    EpochFence fence = new EpochFence(EpochFence.Store.inMemory(), "c");
    fence.admit(new TxnRef("c", 2, "gs-1"));
    fence.observe(3);
    assertThatThrownBy(() -> fence.admit(new TxnRef("c", 2, "gs-1"))).hasMessageContaining("stale epoch 2");
  }
}
