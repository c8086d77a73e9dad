package ai.avala.agents.delivery;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code perTenant} deliveries of one tenant in flight at once in one invocation (a Lambda instance
 * runs one invocation at a time, so with the deliveries queue's MaximumConcurrency this bounds a tenant's
 * callbacks in flight everywhere, without writing anything per delivery). A task over the bound is handed
 * back to the queue a little later.
 */
final class TenantSlots {

    private final int perTenant;
    private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    TenantSlots(int perTenant) {
        this.perTenant = perTenant;
    }

    boolean tryAcquire(String tenant) {
        AtomicInteger count = inFlight.computeIfAbsent(tenant, t -> new AtomicInteger());
        if (count.incrementAndGet() > perTenant) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    void release(String tenant) {
        inFlight.get(tenant).decrementAndGet();
    }
}
