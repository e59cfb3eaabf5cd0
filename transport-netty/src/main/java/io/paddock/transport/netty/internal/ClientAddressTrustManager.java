package io.paddock.transport.netty.internal;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * ZooKeeper's client hostname verification ({@code ssl.hostnameVerification} and
 * {@code ssl.clientHostnameVerification}) without reverse DNS: after the usual chain check, a client certificate must
 * name the client's IP address in an {@code iPAddress} subject alternative name. The engine's peer host is the IP
 * literal the listener gave it, so no name is ever looked up.
 */
final class ClientAddressTrustManager extends X509ExtendedTrustManager {
    private static final int SAN_IP_ADDRESS = 7;

    private final X509ExtendedTrustManager delegate;

    ClientAddressTrustManager(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
        verifyAddress(chain[0], engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
        String peer = null;
        if (socket != null && socket.getRemoteSocketAddress() instanceof InetSocketAddress remote
                && remote.getAddress() != null) {
            peer = remote.getAddress().getHostAddress();
        }
        verifyAddress(chain[0], peer);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificate cannot be checked against the client's address: no peer");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /** Passes when {@code certificate} has an IP address SAN equal to {@code peerHost} (an IP literal). */
    static void verifyAddress(X509Certificate certificate, String peerHost) throws CertificateException {
        InetAddress peer = peerHost == null ? null : NetUtil.createInetAddressFromIpAddressString(peerHost);
        if (peer == null) {
            throw new CertificateException("client certificate cannot be checked: the peer address '" + peerHost
                    + "' is not an IP literal");
        }
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new CertificateException("client certificate has unreadable subject alternative names", e);
        }
        if (names != null) {
            for (List<?> name : names) {
                if (name.size() >= 2 && Integer.valueOf(SAN_IP_ADDRESS).equals(name.get(0))
                        && name.get(1) instanceof String text) {
                    InetAddress named = NetUtil.createInetAddressFromIpAddressString(text);
                    if (peer.equals(named)) {
                        return;
                    }
                }
            }
        }
        throw new CertificateException("client certificate of '" + certificate.getSubjectX500Principal().getName()
                + "' does not name the client's address " + peer.getHostAddress() + " in an IP subject alternative"
                + " name (checked without reverse DNS; ssl.clientHostnameVerification=false, or"
                + " ssl.quorum.hostnameVerification=false on a peer port, skips this check)");
    }
}
