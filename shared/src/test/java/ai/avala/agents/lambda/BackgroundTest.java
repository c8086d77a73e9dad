package ai.avala.agents.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BackgroundTest {

    @Test
    void workRunsOnItsOwnNamedDaemonThreadAndItsResultIsAwaited() {
        Thread caller = Thread.currentThread();
        CompletableFuture<Thread> started = Background.start("cold-start-work", Thread::currentThread);

        Thread worker = Background.await(started);

        assertThat(worker).isNotSameAs(caller);
        assertThat(worker.getName()).isEqualTo("cold-start-work");
        assertThat(worker.isDaemon()).isTrue();
    }

    @Test
    void whatTheWorkThrewIsThrownToWhoeverAwaitsIt() {
        IllegalStateException thrown = new IllegalStateException("no trust store");
        CompletableFuture<Object> started = Background.start("failing-work", () -> {
            throw thrown;
        });

        assertThatThrownBy(() -> Background.await(started)).isSameAs(thrown);
        assertThatThrownBy(() -> Background.await(started)).isSameAs(thrown);
    }
}
