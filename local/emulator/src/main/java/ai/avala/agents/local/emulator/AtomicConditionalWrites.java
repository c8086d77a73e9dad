package ai.avala.agents.local.emulator;

import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * DynamoDB checks a write's condition and makes the write atomically; moto does not when requests arrive
 * at once (two leases on one execution can both succeed), which would let the local stack call an agent
 * twice where AWS never would. So every SDK client of a test JVM or of the local stack sends its
 * conditional writes and transactions one at a time. Installed through the SDK's global interceptor list
 * of this (never deployed) module; the functions' own code is unchanged.
 */
public final class AtomicConditionalWrites implements ExecutionInterceptor {

    private static final ReentrantLock LOCK = new ReentrantLock(true);
    private static final ExecutionAttribute<Boolean> LOCKED = new ExecutionAttribute<>("avala.atomic-conditional-write");

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (isConditionalWrite(context.request())) {
            LOCK.lock();
            attributes.putAttribute(LOCKED, true);
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        unlock(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        unlock(attributes);
    }

    private static void unlock(ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(LOCKED))) {
            attributes.putAttribute(LOCKED, false);
            LOCK.unlock();
        }
    }

    static boolean isConditionalWrite(SdkRequest request) {
        return switch (request) {
            case PutItemRequest put -> put.conditionExpression() != null;
            case UpdateItemRequest update -> update.conditionExpression() != null;
            case DeleteItemRequest delete -> delete.conditionExpression() != null;
            case TransactWriteItemsRequest transaction -> true;
            default -> false;
        };
    }
}
