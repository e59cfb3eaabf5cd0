package io.paddock.api.replication;

/** The operation needs the leader (or a serving learner) and this server is not in that role now. */
public class NotLeaderException extends Exception {
    private static final long serialVersionUID = 1L;

    public NotLeaderException(String message) {
        super(message);
    }
}
