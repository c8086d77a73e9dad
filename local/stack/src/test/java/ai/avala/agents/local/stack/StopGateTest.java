package ai.avala.agents.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StopGateTest {

    @Test
    void close_shouldWaitForWorkRunningInTheGate_andNoWorkShouldRunAfterIt() throws Exception {
        StopGate gate = new StopGate();
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong finishedAt = new AtomicLong();
        Thread worker = Thread.ofPlatform()
                .start(() -> gate.ifOpen(() -> {
                    started.countDown();
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    finishedAt.set(System.nanoTime());
                }));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        gate.close();
        long closedAt = System.nanoTime();

        assertThat(finishedAt.get())
                .as("the work in the gate finished before close returned")
                .isNotZero()
                .isLessThanOrEqualTo(closedAt);
        assertThat(gate.isOpen()).isFalse();
        AtomicBoolean ranLate = new AtomicBoolean();
        gate.ifOpen(() -> ranLate.set(true));
        assertThat(ranLate).isFalse();
        worker.join();
    }
}
