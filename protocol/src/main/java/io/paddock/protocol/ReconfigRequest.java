package io.paddock.protocol;

/**
 * Op 16 (§5.9). Either the incremental pair ({@code joiningServers}, {@code leavingServers}) or
 * {@code newMembers} is set; the others are usually null. {@code curConfigId} -1 matches any.
 */
public record ReconfigRequest(String joiningServers, String leavingServers, String newMembers, long curConfigId)
        implements JuteRecord {

    public static ReconfigRequest read(JuteInput in) {
        String joiningServers = in.readString();
        String leavingServers = in.readString();
        String newMembers = in.readString();
        return new ReconfigRequest(joiningServers, leavingServers, newMembers, in.readLong());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(joiningServers).writeString(leavingServers).writeString(newMembers).writeLong(curConfigId);
    }
}
