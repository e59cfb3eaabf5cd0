/**
 * Value types of the ZooKeeper data model shared by all modules: {@link io.paddock.api.Zxid}, {@link io.paddock.api.Stat},
 * {@link io.paddock.api.Id}, {@link io.paddock.api.Acl}, {@link io.paddock.api.Perms}, {@link io.paddock.api.CreateMode}
 * and {@link io.paddock.api.PeerId}. They carry no behaviour beyond validation and formatting.
 */
package io.paddock.api;
