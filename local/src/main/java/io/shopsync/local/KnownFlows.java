package io.shopsync.local;

import io.shopsync.fulfilments.FulfilmentToCrm;
import io.shopsync.lambda.FlowEnvironment;
import io.shopsync.lambda.FlowFunction;
import io.shopsync.orders.OrderToCrm;
import io.shopsync.stock.StockToInventory;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The flow classes the local stack can run, by the handler class name template.yaml gives.
 *
 * <p>An explicit map rather than reflection: it is checked by the compiler (a renamed class or
 * constructor breaks the build, not a local run), it needs no reflection, and adding a flow already
 * means adding its module to this module's pom, so the one more line here is in the same change. A
 * template handler missing from the map stops the local stack with a message saying to add it here.
 */
final class KnownFlows {

    /** A flow's name and its constructor taking a {@link FlowEnvironment} (what tests and this stack call). */
    record KnownFlow(String name, Function<FlowEnvironment, FlowFunction> constructor) {}

    private static final Map<String, KnownFlow> BY_HANDLER_CLASS = Map.of(
            OrderToCrm.class.getName(), new KnownFlow(OrderToCrm.FLOW.name(), OrderToCrm::new),
            StockToInventory.class.getName(), new KnownFlow(StockToInventory.FLOW.name(), StockToInventory::new),
            FulfilmentToCrm.class.getName(), new KnownFlow(FulfilmentToCrm.FLOW.name(), FulfilmentToCrm::new));

    private KnownFlows() {}

    static Optional<KnownFlow> forHandlerClass(String className) {
        return Optional.ofNullable(BY_HANDLER_CLASS.get(className));
    }

    static KnownFlow require(StackTemplate.Function function) {
        return forHandlerClass(function.handlerClass()).orElseThrow(() -> new TemplateException("function "
                + function.logicalId() + " has Handler class " + function.handlerClass() + ", which the local stack "
                + "does not know: add its module to local/pom.xml and its constructor to KnownFlows"));
    }
}
