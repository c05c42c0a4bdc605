// Command scenario drives go-zookeeper (Debian's golang-github-samuel-go-zookeeper-dev) through one
// scenario and prints one line per result; the same program against Apache ZooKeeper, our node and an
// ensemble follower must print the same lines. go-zookeeper numbers every request from one counter, its
// auth packet included, and matches replies by xid: a server that answers auth with xid -4 (the Java
// client's fixed auth xid) instead of the request's xid leaves AddAuth waiting, and this program then
// stops with "timed out" and exit code 3.
//
// Build offline (GOPATH mode on Debian's packaged source):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o scenario scenario.go
//
// Usage: scenario host:port
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/samuel/go-zookeeper/zk"
)

const (
	sessionTimeout = 10 * time.Second
	// connectWait bounds the handshake; callWait bounds every request and every awaited watch event.
	connectWait = 15 * time.Second
	callWait    = 5 * time.Second
)

var out []string

func emit(format string, args ...interface{}) {
	out = append(out, fmt.Sprintf(format, args...))
}

// fail prints what ran so far (so a diff shows where it stopped), then the reason, and exits.
func fail(code int, format string, args ...interface{}) {
	fmt.Println(strings.Join(out, "\n"))
	fmt.Printf("FAILED: "+format+"\n", args...)
	os.Exit(code)
}

// within runs one call with a deadline: a reply that never comes must not hang the test.
func within(label string, call func()) {
	done := make(chan struct{})
	go func() {
		call()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(callWait):
		fail(3, "%s timed out after %s", label, callWait)
	}
}

func statLine(s *zk.Stat) string {
	if s == nil {
		return "nil"
	}
	owner := "0"
	if s.EphemeralOwner != 0 {
		owner = "session"
	}
	return fmt.Sprintf("czxid=%d mzxid=%d pzxid=%d version=%d cversion=%d aversion=%d owner=%s dataLength=%d numChildren=%d",
		s.Czxid, s.Mzxid, s.Pzxid, s.Version, s.Cversion, s.Aversion, owner, s.DataLength, s.NumChildren)
}

func errLine(err error) string {
	if err == nil {
		return "ok"
	}
	return "error " + err.Error()
}

func connect(server string, label string) *zk.Conn {
	connected := make(chan struct{}, 1)
	// go-zookeeper logs connection chatter through the standard logger: keep it on stderr, apart from the lines compared.
	logger := log.New(os.Stderr, label+" ", log.LstdFlags)
	conn, _, err := zk.Connect([]string{server}, sessionTimeout, zk.WithLogger(logger), zk.WithEventCallback(func(e zk.Event) {
		if e.Type == zk.EventSession && e.State == zk.StateHasSession {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	}))
	if err != nil {
		fail(2, "connect %s: %v", server, err)
	}
	select {
	case <-connected:
	case <-time.After(connectWait):
		fail(2, "no session from %s within %s", server, connectWait)
	}
	return conn
}

func awaitEvent(label string, ch <-chan zk.Event) {
	select {
	case e := <-ch:
		emit("%s: %s %s", label, e.Type, e.Path)
	case <-time.After(callWait):
		fail(3, "%s: no event within %s", label, callWait)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: scenario host:port")
		os.Exit(64)
	}
	server := os.Args[1]
	log.SetOutput(io.Discard)
	a := connect(server, "a")
	b := connect(server, "b")
	defer a.Close()
	open := zk.WorldACL(zk.PermAll)

	create := func(c *zk.Conn, path string, data string, flags int32, acl []zk.ACL) {
		within("create "+path, func() {
			created, err := c.Create(path, []byte(data), flags, acl)
			if err != nil {
				emit("create %s flags=%d -> %s", path, flags, errLine(err))
			} else {
				emit("create %s flags=%d -> %s", path, flags, created)
			}
		})
	}
	get := func(c *zk.Conn, path string) {
		within("get "+path, func() {
			data, stat, err := c.Get(path)
			if err != nil {
				emit("get %s -> %s", path, errLine(err))
			} else {
				emit("get %s -> %q %s", path, data, statLine(stat))
			}
		})
	}
	set := func(c *zk.Conn, path string, data string, version int32) {
		within("set "+path, func() {
			stat, err := c.Set(path, []byte(data), version)
			if err != nil {
				emit("set %s v=%d -> %s", path, version, errLine(err))
			} else {
				emit("set %s v=%d -> %s", path, version, statLine(stat))
			}
		})
	}
	children := func(c *zk.Conn, path string) {
		within("children "+path, func() {
			kids, stat, err := c.Children(path)
			sort.Strings(kids)
			emit("children %s -> [%s] %s %s", path, strings.Join(kids, ","), statLine(stat), errLine(err))
		})
	}
	remove := func(c *zk.Conn, path string, version int32) {
		within("delete "+path, func() { emit("delete %s v=%d -> %s", path, version, errLine(c.Delete(path, version))) })
	}

	// Plain operations, sequential names and the usual errors.
	create(a, "/go", "root", 0, open)
	create(a, "/go/seq-", "s", zk.FlagSequence, open)
	create(a, "/go/seq-", "s", zk.FlagSequence, open)
	create(b, "/go/eph", "e", zk.FlagEphemeral, open)
	create(b, "/go/ephseq-", "e", zk.FlagEphemeral|zk.FlagSequence, open)
	get(a, "/go")
	get(a, "/go/eph")
	children(a, "/go")
	create(a, "/go", "again", 0, open)
	create(a, "/go/no/parent", "", 0, open)
	create(a, "/go/eph/child", "", 0, open)
	set(a, "/go", "v1", 0)
	set(a, "/go", "v2", 7)
	remove(a, "/go", -1)
	remove(a, "/go/missing", -1)
	get(a, "/go/missing")
	within("exists missing", func() {
		ok, stat, err := a.Exists("/go/missing")
		emit("exists /go/missing -> %v %s %s", ok, statLine(stat), errLine(err))
	})

	// One-shot watches: exists on a missing node, data changed, children changed, node deleted.
	var ch <-chan zk.Event
	within("existsw", func() {
		ok, _, w, err := a.ExistsW("/go/later")
		ch = w
		emit("existsw /go/later -> %v %s", ok, errLine(err))
	})
	create(b, "/go/later", "l", 0, open)
	awaitEvent("exists-watch", ch)
	within("getw", func() {
		data, _, w, err := a.GetW("/go/later")
		ch = w
		emit("getw /go/later -> %q %s", data, errLine(err))
	})
	set(b, "/go/later", "l2", -1)
	awaitEvent("data-watch", ch)
	within("childrenw", func() {
		kids, _, w, err := a.ChildrenW("/go")
		ch = w
		sort.Strings(kids)
		emit("childrenw /go -> [%s] %s", strings.Join(kids, ","), errLine(err))
	})
	create(b, "/go/kid", "", 0, open)
	awaitEvent("child-watch", ch)
	within("getw again", func() {
		_, _, w, err := a.GetW("/go/later")
		ch = w
		emit("getw /go/later again -> %s", errLine(err))
	})
	remove(b, "/go/later", -1)
	awaitEvent("delete-watch", ch)

	// Multi: all of it, then nothing of it.
	within("multi", func() {
		res, err := a.Multi(
			&zk.CreateRequest{Path: "/go/tx", Data: []byte("t"), Acl: open},
			&zk.SetDataRequest{Path: "/go/tx", Data: []byte("t2"), Version: 0},
			&zk.CheckVersionRequest{Path: "/go/tx", Version: 1},
			&zk.DeleteRequest{Path: "/go/kid", Version: -1},
		)
		parts := make([]string, len(res))
		for i, r := range res {
			parts[i] = fmt.Sprintf("%q %s %s", r.String, statLine(r.Stat), errLine(r.Error))
		}
		emit("multi -> %s | %s", errLine(err), strings.Join(parts, " | "))
	})
	within("multi failing", func() {
		res, err := a.Multi(
			&zk.CreateRequest{Path: "/go/tx2", Data: []byte("t"), Acl: open},
			&zk.CheckVersionRequest{Path: "/go/tx", Version: 9},
		)
		parts := make([]string, len(res))
		for i, r := range res {
			parts[i] = errLine(r.Error)
		}
		emit("multi failing -> %s | %s", errLine(err), strings.Join(parts, " | "))
	})
	within("exists tx2", func() {
		ok, _, err := a.Exists("/go/tx2")
		emit("exists /go/tx2 -> %v %s", ok, errLine(err))
	})

	// Digest auth and ACLs. AddAuth is the call that waits forever when the auth reply's xid is not the request's.
	within("addauth", func() { emit("addauth digest -> %s", errLine(a.AddAuth("digest", []byte("user1:12345")))) })
	create(a, "/go/secret", "s", 0, zk.DigestACL(zk.PermAll, "user1", "12345"))
	get(a, "/go/secret")
	get(b, "/go/secret")
	within("getacl", func() {
		acl, stat, err := a.GetACL("/go/secret")
		parts := make([]string, len(acl))
		for i, x := range acl {
			parts[i] = fmt.Sprintf("%s:%s:%d", x.Scheme, x.ID, x.Perms)
		}
		emit("getacl /go/secret -> %s %s %s", strings.Join(parts, ","), statLine(stat), errLine(err))
	})
	within("addauth wrong", func() { emit("addauth digest b -> %s", errLine(b.AddAuth("digest", []byte("user1:wrong")))) })
	get(b, "/go/secret")
	create(a, "/go/authed", "x", 0, zk.AuthACL(zk.PermRead|zk.PermAdmin))
	within("getacl auth", func() {
		acl, _, err := a.GetACL("/go/authed")
		parts := make([]string, len(acl))
		for i, x := range acl {
			parts[i] = fmt.Sprintf("%s:%s:%d", x.Scheme, x.ID, x.Perms)
		}
		emit("getacl /go/authed -> %s %s", strings.Join(parts, ","), errLine(err))
	})
	set(a, "/go/authed", "y", -1)
	within("sync", func() {
		path, err := a.Sync("/go")
		emit("sync /go -> %s %s", path, errLine(err))
	})

	// Ephemerals vanish when their session closes, and the watch of another session fires.
	within("existsw eph", func() {
		ok, _, w, err := a.ExistsW("/go/eph")
		ch = w
		emit("existsw /go/eph -> %v %s", ok, errLine(err))
	})
	b.Close()
	awaitEvent("eph-watch", ch)
	children(a, "/go")
	remove(a, "/go/secret", -1)
	remove(a, "/go/authed", -1)
	remove(a, "/go/tx", 5)
	remove(a, "/go/tx", 1)
	children(a, "/go")

	fmt.Println(strings.Join(out, "\n"))
}
