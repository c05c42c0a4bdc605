// Captures Apache ZooKeeper's real four-letter-word outputs into apache-3.8.0/.
// Usage (from the repository root): node apps/coord-node/src/ops/__fixtures__/capture-apache-4lw.js
// It starts Debian's ZooKeeper 3.8.0 three times on free loopback ports (busy, fresh, default whitelist),
// writes one file per word, and stops each Java server by its PID. Needs Java and /usr/share/java/zookeeper.jar.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const zk = require('node-zookeeper-client');

const outRoot = path.join(__dirname, 'apache-3.8.0');
const startWaitMsMax = 30000;
const allWords = ['ruok', 'isro', 'srvr', 'stat', 'mntr', 'conf', 'envi', 'cons', 'wchs', 'wchc', 'wchp', 'dump', 'dirs', 'gtmk', 'crst', 'srst'];

function freePort() {
  return new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}
function fourLetter(port, word) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(word));
    const chunks = [];
    s.on('data', (c) => chunks.push(c));
    s.on('close', () => res(Buffer.concat(chunks).toString('utf8')));
    s.on('error', rej);
  });
}
async function startServer(whitelistLine) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk4lw-'));
  const cfg = path.join(dir, 'zoo.cfg');
  fs.writeFileSync(cfg, `tickTime=2000\ndataDir=${dir}/data\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n${whitelistLine}\n`);
  const child = spawn('java', ['-cp', '/usr/share/java/*:/etc/zookeeper/conf', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { cwd: dir, stdio: 'ignore' });
  const deadline = Date.now() + startWaitMsMax;
  for (;;) {
    const reply = await fourLetter(port, 'srvr').catch(() => '');
    if (reply.startsWith('Zookeeper version')) break;
    if (Date.now() > deadline) { child.kill(); throw new Error('ZooKeeper did not start'); }
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = () => new Promise((res) => { child.once('exit', () => { fs.rmSync(dir, { recursive: true, force: true }); res(); }); process.kill(child.pid, 'SIGTERM'); });
  return { port, stop };
}
const call = (fn) => new Promise((res, rej) => fn((e, r) => (e ? rej(e) : res(r))));
async function connect(port, sessionTimeout) {
  const c = zk.createClient(`127.0.0.1:${port}`, { sessionTimeout });
  await new Promise((r) => { c.once('connected', r); c.connect(); });
  return c;
}
async function writeAll(port, dir, words) {
  fs.mkdirSync(dir, { recursive: true });
  for (const w of words) fs.writeFileSync(path.join(dir, `${w}.txt`), await fourLetter(port, w));
}

async function main() {
  // 1. A busy server: two sessions, ephemerals, data and exist watches.
  let s = await startServer('4lw.commands.whitelist=*');
  const a = await connect(s.port, 30000);
  const b = await connect(s.port, 10000);
  await call((cb) => a.create('/app', Buffer.from('x'), cb));
  await call((cb) => a.create('/app/eph', Buffer.from('e'), zk.CreateMode.EPHEMERAL, cb));
  await call((cb) => b.create('/eph2', null, zk.CreateMode.EPHEMERAL, cb));
  await call((cb) => a.getData('/app', () => {}, cb));
  await call((cb) => a.exists('/missing', () => {}, cb));
  await call((cb) => b.getData('/app', () => {}, cb));
  await call((cb) => b.getChildren('/app', () => {}, cb));
  await writeAll(s.port, outRoot, allWords);
  a.close(); b.close();
  await new Promise((r) => setTimeout(r, 300));
  await s.stop();
  // 2. A fresh server with no sessions.
  s = await startServer('4lw.commands.whitelist=*');
  await writeAll(s.port, path.join(outRoot, 'fresh'), ['srvr', 'stat', 'cons', 'dump', 'wchs', 'wchc', 'wchp']);
  await s.stop();
  // 3. The default whitelist (srvr only).
  s = await startServer('');
  await writeAll(s.port, path.join(outRoot, 'default-whitelist'), ['srvr', 'ruok', 'stat', 'mntr', 'isro']);
  await s.stop();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
