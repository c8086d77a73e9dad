package ai.avala.agents.local.stack;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A trigger's running state, with a guarantee its stop needs: once {@link #close()} has returned, no work passed
 * to {@link #ifOpen} runs any more, and any that was running has finished. So nothing a trigger reports (a batch
 * deleted, a line logged) can follow the stack's own "Stopping" line.
 */
final class StopGate {

    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean open = true;

    boolean isOpen() {
        return open;
    }

    /** Runs {@code work} unless the gate is closed; a close waits for it. */
    void ifOpen(Runnable work) {
        lock.lock();
        try {
            if (open) {
                work.run();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the gate, after any work running in {@link #ifOpen} has finished. */
    void close() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
    }
}
