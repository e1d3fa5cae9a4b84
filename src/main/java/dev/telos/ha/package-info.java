/**
 * High availability: finding the leading Mesos master through ZooKeeper (Apache Curator), as Mesos
 * publishes it ({@code json.info_*} nodes under the masters' znode).
 */
package dev.telos.ha;
