package io.paddock.crash;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.client.HostProvider;

/**
 * The client's view of "the server": one address that changes with every restart (clientPort=0). The official
 * client asks its HostProvider for an address before each connection attempt; while the server is down this one
 * holds the client for the wait the contract allows ({@code spinDelay}) instead of letting it dial the dead port, and
 * releases it the moment the restarted server's port is known. The session, its password and its lastZxidSeen stay in
 * the same client object throughout, so each reconnection asks the new server to accept what the client has seen.
 */
final class MovingServer implements HostProvider {
    private InetSocketAddress current;
    private InetSocketAddress last;

    synchronized void movedTo(int port) {
        current = new InetSocketAddress("127.0.0.1", port);
        last = current;
        notifyAll();
    }

    synchronized void down() {
        current = null;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public synchronized InetSocketAddress next(long spinDelay) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spinDelay);
        try {
            while (current == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return current != null ? current : last;
    }

    @Override
    public void onConnected() {
        // one server: nothing to rotate
    }

    @Override
    public boolean updateServerList(Collection<InetSocketAddress> serverAddresses, InetSocketAddress currentHost) {
        throw new UnsupportedOperationException("the test moves the server with movedTo");
    }
}
