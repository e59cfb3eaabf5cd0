/** The {@code digest} ACL scheme. Exports nothing; provides an AuthProvider named "digest". */
module io.paddock.auth.digest {
    requires io.paddock.api;

    provides io.paddock.api.auth.AuthProvider with io.paddock.auth.digest.DigestAuthProvider;
}
