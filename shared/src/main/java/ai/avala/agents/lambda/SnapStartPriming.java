package ai.avala.agents.lambda;

import ai.avala.agents.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Warms a function before Lambda SnapStart takes its snapshot: the registered work runs in the CRaC
 * {@code beforeCheckpoint} hook, so the classes it loads and the JSON and AWS SDK paths it walks are
 * already initialized in every restored container. The work must not write data. Outside SnapStart
 * (plain JVMs, tests) nothing runs unless {@link #primeAll()} is called.
 */
public final class SnapStartPriming implements Resource {

    private static final Log LOG = Log.of(SnapStartPriming.class);
    // CRaC holds resources weakly: keep them reachable until the checkpoint.
    private static final List<SnapStartPriming> REGISTERED = new CopyOnWriteArrayList<>();
    private final String name;
    private final Runnable warmUp;

    private SnapStartPriming(String name, Runnable warmUp) {
        this.name = name;
        this.warmUp = warmUp;
    }

    public static void register(String name, Runnable warmUp) {
        SnapStartPriming priming = new SnapStartPriming(name, warmUp);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
    }

    /** What {@link #primeAll()} ran: the names of the warm-ups that succeeded and of those that failed. */
    public record Primed(List<String> succeeded, List<String> failed) {}

    /** Runs every registered warm-up now, as a checkpoint would. */
    public static Primed primeAll() {
        List<String> succeeded = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (SnapStartPriming priming : REGISTERED) {
            (priming.prime() ? succeeded : failed).add(priming.name);
        }
        return new Primed(List.copyOf(succeeded), List.copyOf(failed));
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing cached during priming depends on uniqueness: ids and secrets come from SecureRandom per call.
    }

    private boolean prime() {
        try {
            warmUp.run();
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Priming " + name + " failed; the function works, its first call is slower", e);
            return false;
        }
    }
}
