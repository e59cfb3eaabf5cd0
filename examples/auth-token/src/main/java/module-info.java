/** An example ACL scheme, "token": a plugin jar that needs nothing but io.paddock.api. */
module io.paddock.example.auth.token {
    requires io.paddock.api;

    provides io.paddock.api.auth.AuthProvider with io.paddock.example.auth.token.TokenAuthProvider;
}
