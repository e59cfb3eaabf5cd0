package io.paddock.protocol;

import java.util.List;

/** Op 103 response: full paths of the session's ephemeral nodes. */
public record GetEphemeralsResponse(List<String> ephemerals) implements JuteRecord {
    public static GetEphemeralsResponse read(JuteInput in) {
        return new GetEphemeralsResponse(in.readStringList());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeStringList(ephemerals);
    }
}
