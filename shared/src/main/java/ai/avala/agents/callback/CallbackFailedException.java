package ai.avala.agents.callback;

import java.io.IOException;

/** A callback that got no usable HTTP answer; the message says why and is safe to store and show. */
public final class CallbackFailedException extends IOException {

    public CallbackFailedException(String reason) {
        super(reason, null);
    }
}
