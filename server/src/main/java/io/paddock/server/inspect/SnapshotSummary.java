package io.paddock.server.inspect;

import java.util.List;

/**
 * What a snapshot walk found.
 *
 * @param sessions              sessions listed
 * @param nodes                 znodes listed
 * @param skipped               empty records: nodes deleted while the fuzzy snapshot was written (the log replay
 *                              after the snapshot settles them)
 * @param highestZxid           the highest czxid, mzxid or pzxid of any node: how far the fuzzy snapshot reaches
 * @param nodesBeforeParent     nodes listed while their parent was not: the walk recorded the parent as deleted,
 *                              then met the child after both had been created again. Fuzzy, not damage: the restore
 *                              skips them and the log after the snapshot's zxid creates them again
 * @param nodesBeforeParentSome the first few such paths, for messages
 * @param format                the snapshot format: 1 ("PDKS", no end zxid) or 2 ("PDK2")
 * @param endZxid               format 2: the zxid of the latest change started when the walk ended; 0 in format 1
 */
public record SnapshotSummary(int sessions, int nodes, int skipped, long highestZxid, int nodesBeforeParent,
        List<String> nodesBeforeParentSome, int format, long endZxid) {

    public SnapshotSummary {
        nodesBeforeParentSome = List.copyOf(nodesBeforeParentSome);
    }

    /**
     * Txns up to this zxid may be reflected in part in the snapshot, so the log must reach it for a restore to be
     * consistent: max(endZxid, highestZxid) in format 2, highestZxid alone in format 1 (which can miss a delete).
     */
    public long fuzzyHorizon() {
        return Math.max(highestZxid, endZxid);
    }

    /**
     * {@code 3 sessions, 120 znodes, 1 skipped record (...), walk ended at 0x1a5, highest zxid 0x1a2}; the highest zxid
     * stays last, where scripts (and crash-tests' PaddockToolsIT) look for it.
     */
    public String toLine() {
        return sessions + (sessions == 1 ? " session, " : " sessions, ") + nodes + (nodes == 1 ? " znode" : " znodes")
                + (skipped == 0 ? "" : ", " + skipped + (skipped == 1 ? " skipped record" : " skipped records")
                        + " (deleted while the fuzzy snapshot was written)")
                + (nodesBeforeParent == 0 ? "" : ", " + nodesBeforeParent + " listed without their parent "
                        + nodesBeforeParentSome + (nodesBeforeParent > nodesBeforeParentSome.size() ? "..." : "")
                        + " (re-created during the walk: the restore skips them, the log creates them again)")
                + (format == 1 ? ", format 1 (no end zxid)" : ", walk ended at " + Formats.hex(endZxid))
                + ", highest zxid " + Formats.hex(highestZxid);
    }
}
