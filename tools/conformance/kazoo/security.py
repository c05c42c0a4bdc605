"""kazoo's security options against a server: SASL DIGEST-MD5 (sasl_options) or TLS (use_ssl).

Prints one line per step; the same run against Apache ZooKeeper and Coordinode must print the same
lines (a failed start prints the exception's class, as a user would see it).
Usage: /usr/bin/python3 security.py host:port sasl USER PASSWORD
       /usr/bin/python3 security.py host:port ssl CA_PEM [CERT_PEM KEY_PEM]
"""
import sys
import threading

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import KazooException
from kazoo.security import make_acl

hosts, mode = sys.argv[1], sys.argv[2]
if mode == "sasl":
    user, password = sys.argv[3], sys.argv[4]
    zk = KazooClient(hosts=hosts, timeout=10,
                     sasl_options={"mechanism": "DIGEST-MD5", "username": user, "password": password},
                     connection_retry={"max_tries": 1}, command_retry={"max_tries": 0})
else:
    ca = sys.argv[3]
    cert = sys.argv[4] if len(sys.argv) > 4 else None
    key = sys.argv[5] if len(sys.argv) > 5 else None
    zk = KazooClient(hosts=hosts, timeout=10, use_ssl=True, verify_certs=True, ca=ca, certfile=cert, keyfile=key,
                     connection_retry={"max_tries": 1}, command_retry={"max_tries": 0})
# Not zk.start(): it waits for the connection, then checks that the session is still live. With SASL,
# kazoo reports CONNECTED before it authenticates, so a wrong password can end the session between the
# two, and start() then raises its time-out although the client did connect (a race that a fast server
# loses more often than a slow one). A state listener sees CONNECTED whenever it happens.
connected = threading.Event()
zk.add_listener(lambda state: connected.set() if state == KazooState.CONNECTED else None)
zk.start_async()
if not connected.wait(8):
    print("start -> KazooTimeoutError")  # what zk.start() raises when no session came
    zk.stop()
    zk.close()
    sys.exit(0)
print("start -> connected")
try:
    if mode == "sasl":
        acl = make_acl("sasl", user, all=True)
        zk.create("/kz-sasl", b"only " + user.encode(), acl=[acl])
        data, _ = zk.get("/kz-sasl")
        print(f"get own node -> {data.decode()}")
        print(f"acl -> {[(a.id.scheme, a.id.id, a.perms) for a in zk.get_acls('/kz-sasl')[0]]}")
        zk.delete("/kz-sasl")
    else:
        zk.create("/kz-tls", b"over tls")
        print(f"get -> {zk.get('/kz-tls')[0].decode()}")
        zk.delete("/kz-tls")
except KazooException as e:
    print(f"error -> {type(e).__name__}")
finally:
    zk.stop()
    zk.close()
