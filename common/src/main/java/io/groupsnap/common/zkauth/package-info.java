/**
 * ZooKeeper digest authentication and the ACLs of every node groupsnap creates: credential files, the ids they
 * authenticate as, the ACL each kind of node gets, and the one-line error when ZooKeeper refuses.
 *
 * <p>Who may do what (anonymous clients: nothing):
 * <pre>
 * /groupsnap, /groupsnap/&lt;cluster&gt; and every node under it   digest coordinator ALL, digest agents READ
 *   agents/                                                  digest coordinator ALL, digest agents READ|CREATE
 *   agents/&lt;id&gt;  (ephemeral, made by that agent)             digest agent.&lt;id&gt; ALL, digest agents READ
 * </pre>
 */
package io.groupsnap.common.zkauth;
