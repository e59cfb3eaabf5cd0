package io.paddock.transport.nio;

import io.paddock.api.transport.TransportProvider;
import io.paddock.transport.testkit.TransportContractTest;

/** The shared transport contract (transport-nio's test-jar) run against the {@code nio} provider. */
class NioTransportContractTest extends TransportContractTest {
    @Override
    protected TransportProvider provider() {
        return new NioTransportProvider();
    }

    @Override
    protected String expectedName() {
        return "nio";
    }
}
