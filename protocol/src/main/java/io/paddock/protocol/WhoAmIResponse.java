package io.paddock.protocol;

import java.util.ArrayList;
import java.util.List;

/** Op 107 response: every identity the session has authenticated as. */
public record WhoAmIResponse(List<ClientInfo> clientInfo) implements JuteRecord {
    public static WhoAmIResponse read(JuteInput in) {
        int count = in.readVectorCount(ClientInfo.BYTES_MIN);
        if (count < 0) {
            return new WhoAmIResponse(null);
        }
        List<ClientInfo> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(ClientInfo.read(in));
        }
        return new WhoAmIResponse(list);
    }

    @Override
    public void write(JuteOutput out) {
        if (clientInfo == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(clientInfo.size());
        for (ClientInfo info : clientInfo) {
            info.write(out);
        }
    }
}
