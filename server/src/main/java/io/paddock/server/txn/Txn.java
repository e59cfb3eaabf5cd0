package io.paddock.server.txn;

import io.paddock.api.Acl;
import java.util.List;

/**
 * A prepared change, as replicated and logged. Every field the apply step needs is decided in prepare (versions,
 * ephemeral owner, time), so applying the same txns in the same order gives the same tree on every peer.
 */
public sealed interface Txn {
    record CreateSession(int timeoutMs, byte[] password) implements Txn {}

    record CloseSession() implements Txn {}

    /**
     * @param parentCreatedChildren the parent's create counter after this create: an absolute value, so replaying
     *                              the txn over a fuzzy snapshot that already counted it changes nothing
     */
    record Create(String path, byte[] data, List<Acl> acl, long ephemeralOwner, int parentCreatedChildren)
            implements Txn {}

    record Delete(String path) implements Txn {}

    record SetData(String path, byte[] data, int newVersion) implements Txn {}

    record SetAcl(String path, List<Acl> acl, int newAversion) implements Txn {}

    /**
     * A request that failed prepare on the leader but was forwarded by a learner: it changes nothing, but takes a
     * zxid so that the learner holding the session answers it in order from its apply (ZooKeeper's error txn). The
     * leader's own clients' failed writes never become one.
     *
     * @param code     the error the client gets
     * @param opErrors for a failed multi, the per-op codes of the MultiResponse (OK before the failing op, its code,
     *                 RUNTIMEINCONSISTENCY after); empty otherwise
     */
    record Error(int code, List<Integer> opErrors) implements Txn {
        public Error {
            opErrors = List.copyOf(opErrors);
        }
    }

    /** Sub-txns of one multi: applied together under one zxid. Only Create, Delete, SetData and Check-free ops. */
    record Multi(List<Txn> ops) implements Txn {}
}
