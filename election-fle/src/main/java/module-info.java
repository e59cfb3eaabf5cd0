/** ZooKeeper's Fast Leader Election. Exports nothing; provides an ElectionProvider named "fle". */
module io.paddock.election.fle {
    requires io.paddock.api;
    requires org.slf4j;

    provides io.paddock.api.election.ElectionProvider with io.paddock.election.fle.FleElectionProvider;
}
