"""kazoo (Debian's python3-kazoo) driven through its common operations, recipes and watches.

Prints one line per result; the same script against Apache ZooKeeper and Coordinode must print the
same lines. kazoo sends the empty string as a null ustring, pops its pending queue on auth replies and
uses create (opcode 1) inside transactions: all things a compatible server must get right.
Usage: /usr/bin/python3 scenario.py host:port
"""
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.security import make_digest_acl

hosts = sys.argv[1]
out = []
events = []
got_event = threading.Event()


def stat_line(stat):
    if stat is None:
        return "None"
    owner = "0" if stat.ephemeralOwner == 0 else "session"
    return (f"czxid={stat.czxid} mzxid={stat.mzxid} pzxid={stat.pzxid} version={stat.version} "
            f"cversion={stat.cversion} aversion={stat.aversion} owner={owner} "
            f"dataLength={stat.dataLength} numChildren={stat.numChildren}")


def attempt(label, fn):
    try:
        result = fn()
        out.append(f"{label} -> {result}")
    except KazooException as e:
        out.append(f"{label} -> {type(e).__name__}")


def watcher(event):
    events.append(f"{event.type} {event.path}")
    got_event.set()


def wait_event():
    got_event.wait(5)
    got_event.clear()


zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=15)
other = KazooClient(hosts=hosts, timeout=10)
other.start(timeout=15)
try:
    attempt("ensure_path", lambda: zk.ensure_path("/kz/a/b"))
    attempt("create empty", lambda: zk.create("/kz/empty", b""))
    attempt("create seq", lambda: zk.create("/kz/seq-", b"s", sequence=True))
    eph_path = other.create("/kz/eph-", b"e", ephemeral=True, sequence=True)
    out.append(f"create eph seq -> {eph_path}")
    attempt("create makepath", lambda: zk.create("/kz/x/y/z", b"deep", makepath=True))
    attempt("get empty", lambda: (zk.get("/kz/empty")[0], stat_line(zk.get("/kz/empty")[1])))
    attempt("children", lambda: sorted(zk.get_children("/kz")))
    attempt("children with stat", lambda: stat_line(zk.get_children("/kz", include_data=True)[1]))
    attempt("exists missing", lambda: zk.exists("/kz/missing"))
    attempt("set", lambda: stat_line(zk.set("/kz/empty", b"v1")))
    attempt("set bad version", lambda: zk.set("/kz/empty", b"v2", version=7))
    attempt("create exists", lambda: zk.create("/kz/empty", b""))
    attempt("delete not empty", lambda: zk.delete("/kz"))
    attempt("delete missing", lambda: zk.delete("/kz/missing"))
    attempt("delete recursive", lambda: zk.delete("/kz/x", recursive=True))
    attempt("exists watch", lambda: zk.exists("/kz/later", watch=watcher))
    other.create("/kz/later", b"l")
    wait_event()
    attempt("data watch", lambda: zk.get("/kz/later", watch=watcher)[0])
    other.set("/kz/later", b"l2")
    wait_event()
    attempt("child watch", lambda: sorted(zk.get_children("/kz", watch=watcher)))
    other.delete("/kz/later")
    wait_event()

    zk.add_auth("digest", "user1:12345")
    acl = make_digest_acl("user1", "12345", all=True)
    attempt("create with digest acl", lambda: zk.create("/kz/secret", b"s", acl=[acl]))
    attempt("get secret as owner", lambda: zk.get("/kz/secret")[0])
    attempt("get secret as other", lambda: other.get("/kz/secret")[0])
    attempt("get acls", lambda: [(a.perms, a.id.scheme, a.id.id) for a in zk.get_acls("/kz/secret")[0]])
    attempt("get acls as other", lambda: [(a.perms, a.id.scheme, a.id.id) for a in other.get_acls("/kz/secret")[0]])

    def txn_ok():
        t = zk.transaction()
        t.create("/kz/t1", b"t")
        t.set_data("/kz/t1", b"t2")
        t.check("/kz/t1", 1)
        t.delete("/kz/empty")
        return [type(r).__name__ if not isinstance(r, str) else r for r in t.commit()]

    def txn_fail():
        t = zk.transaction()
        t.create("/kz/t2", b"t")
        t.check("/kz/t1", 9)
        return [type(r).__name__ for r in t.commit()]

    attempt("transaction", txn_ok)
    attempt("transaction failing", txn_fail)
    attempt("t2 absent", lambda: zk.exists("/kz/t2"))

    lock = zk.Lock("/kz/lock", "me")
    attempt("lock acquire", lambda: lock.acquire(timeout=5))
    attempt("lock contenders", lambda: lock.contenders())
    attempt("lock release", lambda: lock.release())
    counter = zk.Counter("/kz/counter")
    counter += 5
    attempt("counter", lambda: counter.value)
    election = zk.Election("/kz/election", "me")
    attempt("election contenders", lambda: election.contenders())

    attempt("eph watch", lambda: stat_line(zk.exists(eph_path, watch=watcher)))
    other.stop()
    other.close()
    wait_event()
    attempt("children after close", lambda: sorted(zk.get_children("/kz")))
finally:
    zk.stop()
    zk.close()

print("\n".join(out))
print("-- events --")
print("\n".join(events))
