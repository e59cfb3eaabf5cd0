/** The {@code ip} ACL scheme. Exports nothing; provides an AuthProvider named "ip". */
module io.paddock.auth.ip {
    requires io.paddock.api;

    provides io.paddock.api.auth.AuthProvider with io.paddock.auth.ip.IpAuthProvider;
}
