#!/usr/bin/env bash
# Captures golden frames from a real Apache ZooKeeper 3.8 server and its Java and C clients.
#
#   tools/golden/capture.sh            # writes libs/protocol/test/golden/*.json
#
# Starts Debian's ZooKeeper on a free loopback port with a temp dataDir, puts record-proxy.js in front,
# runs Driver.java (Java client, every operation), a few zkCli.sh one-shot commands and the C client
# cli_mt through the proxy, and writes each connection's byte streams as hex JSON. Not run in CI: the
# captured files are committed and tested by libs/protocol/src/golden.spec.ts.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/libs/protocol/test/golden"
jars=/usr/share/java
cp="$(echo $jars/{zookeeper,zookeeper-jute,slf4j-api,slf4j-nop,netty-all,metrics-core,commons-cli,commons-io}.jar | tr ' ' ':')"
work="$(mktemp -d)"
zk_pid=""
proxy_pid=""

cleanup() {
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null || true
  [ -n "$zk_pid" ] && kill "$zk_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

zk_port="$(free_port)"
mkdir -p "$work/data" "$work/conns"
cat > "$work/zoo.cfg" <<CFG
tickTime=2000
dataDir=$work/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
CFG
# extendedTypesEnabled lets createTTL succeed instead of answering UNIMPLEMENTED.
java -cp "$cp" -Dzookeeper.extendedTypesEnabled=true \
  org.apache.zookeeper.server.ZooKeeperServerMain "$work/zoo.cfg" > "$work/zk.log" 2>&1 &
zk_pid=$!
for _ in $(seq 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$zk_port") 2>/dev/null; then break; fi
  sleep 0.2
done

node "$here/record-proxy.js" "$zk_port" "$work/conns" > "$work/proxy.log" &
proxy_pid=$!
for _ in $(seq 50); do
  grep -q LISTENING "$work/proxy.log" 2>/dev/null && break
  sleep 0.1
done
proxy_port="$(awk '/LISTENING/ {print $2}' "$work/proxy.log")"
server="127.0.0.1:$proxy_port"

count=0
names=()
# Waits for the proxy to write the files of the connections a step opened, then names them.
take() {
  local name="$1" conns="$2"
  for i in $(seq 1 "$conns"); do
    count=$((count + 1))
    for _ in $(seq 100); do [ -f "$work/conns/conn-$count.json" ] && break; sleep 0.1; done
    local suffix=""
    [ "$conns" -gt 1 ] && suffix="-$i"
    names+=("$name$suffix")
    node -e '
      const [src, dst, name, cmd] = process.argv.slice(1);
      const rec = JSON.parse(require("fs").readFileSync(src, "utf8"));
      const out = { name, source: "Apache ZooKeeper 3.8.0 (Debian)", command: cmd, c2s: rec.c2s, s2c: rec.s2c };
      require("fs").writeFileSync(dst, JSON.stringify(out, null, 1) + "\n");
    ' "$work/conns/conn-$count.json" "$out/$name$suffix.json" "$name$suffix" "$3"
  done
}

mkdir -p "$out"
rm -f "$out"/*.json

# Java client: one session, reconnected twice by the proxy (3 connections).
java -cp "$cp" "$here/Driver.java" "$server" > "$out/java-driver.log" 2>&1
take java-driver 3 "java Driver.java (tools/golden/Driver.java)"

zkcli() {
  local name="$1"; shift
  java -cp "$cp" org.apache.zookeeper.ZooKeeperMain -server "$server" "$@" > "$work/$name.out" 2>&1 || true
  take "$name" 1 "zkCli.sh -server $server $*"
}
zkcli zkcli-create create /x data
zkcli zkcli-get get -s /x
zkcli zkcli-ls ls -s /
zkcli zkcli-stat stat /x
zkcli zkcli-set set /x new
zkcli zkcli-getacl getAcl /x
zkcli zkcli-delete delete /x
zkcli zkcli-get-missing get /x
zkcli zkcli-whoami whoami

# C client: the fixed 45-byte ConnectRequest and 41-byte reply.
/usr/lib/zookeeper/bin/cli_mt -h "$server" -c "ls /" > "$work/cli_mt.out" 2>&1 < /dev/null || true
take c-client-ls 1 "cli_mt -h $server -c 'ls /'"

# node-zookeeper-client: the 44-byte ConnectRequest without readOnly, answered with a 36-byte body.
NODE_PATH="$root/node_modules" node "$here/node-client.js" "$server" > "$out/node-client.log" 2>&1
take node-client 1 "node tools/golden/node-client.js (node-zookeeper-client 1.1.3)"

# A four-letter word on a fresh connection.
node -e '
  const s = require("net").connect(Number(process.argv[1]), "127.0.0.1", () => s.write("ruok"));
  s.on("data", () => {}); s.on("end", () => s.end());
' "$proxy_port"
take fourletter-ruok 1 "ruok"

echo "captured: ${names[*]}"
