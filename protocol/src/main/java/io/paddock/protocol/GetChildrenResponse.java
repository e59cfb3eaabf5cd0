package io.paddock.protocol;

import java.util.List;

/** Op 8 response: child names (not full paths), in no particular order. */
public record GetChildrenResponse(List<String> children) implements JuteRecord {
    public static GetChildrenResponse read(JuteInput in) {
        return new GetChildrenResponse(in.readStringList());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeStringList(children);
    }
}
