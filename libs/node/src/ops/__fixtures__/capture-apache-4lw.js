// Captures Apache ZooKeeper's real four-letter-word outputs into apache-3.8.0/.
// Usage (from the repository root): node libs/node/src/ops/__fixtures__/capture-apache-4lw.js
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
const stepWaitMsMax = 15000;
const stopWaitMsMax = 5000;

/** Rejects when a step hangs, so a stuck client never leaves the Java server running. */
function within(promise, what) {
  let timer;
  const timeout = new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} took longer than ${stepWaitMsMax} ms`)), stepWaitMsMax); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const allWords = ['ruok', 'isro', 'srvr', 'stat', 'mntr', 'conf', 'envi', 'cons', 'wchs', 'wchc', 'wchp', 'dump', 'dirs', 'gtmk', 'crst', 'srst', 'hash'];

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
    // A poll can hang while the JVM starts accepting but not yet answering; give each one 2 s.
    const reply = await Promise.race([fourLetter(port, 'srvr').catch(() => ''), new Promise((r) => setTimeout(() => r(''), 2000).unref())]);
    if (reply.startsWith('Zookeeper version')) break;
    if (Date.now() > deadline) { process.kill(child.pid, 'SIGTERM'); throw new Error('ZooKeeper did not start'); }
    await new Promise((r) => setTimeout(r, 250));
  }
  // SIGTERM first; ZooKeeper's shutdown hook occasionally hangs, so SIGKILL after stopWaitMsMax.
  const stop = () => new Promise((res) => {
    if (process.env.CAPTURE_DEBUG) console.error(`stopping ${child.pid}`);
    const killer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), stopWaitMsMax);
    child.once('exit', () => {
      clearTimeout(killer);
      fs.rmSync(dir, { recursive: true, force: true });
      res();
    });
    process.kill(child.pid, 'SIGTERM');
  });
  return { port, stop };
}
const call = (fn) => within(new Promise((res, rej) => fn((e, r) => (e ? rej(e) : res(r)))), 'a ZooKeeper call');
async function connect(port, sessionTimeout) {
  const c = zk.createClient(`127.0.0.1:${port}`, { sessionTimeout });
  await within(new Promise((r) => { c.once('connected', r); c.connect(); }), 'connecting');
  return c;
}
async function writeAll(port, dir, words) {
  fs.mkdirSync(dir, { recursive: true });
  for (const w of words) fs.writeFileSync(path.join(dir, `${w}.txt`), await within(fourLetter(port, w), w));
}

/** Runs `body` against a fresh server and always stops the server afterwards. */
async function withServer(whitelistLine, body) {
  const s = await startServer(whitelistLine);
  if (process.env.CAPTURE_DEBUG) console.error(`started on ${s.port}`);
  try {
    await body(s.port);
  } finally {
    await s.stop();
  }
}

async function main() {
  // 1. A busy server: two sessions, ephemerals, data and exist watches, one child watch.
  await withServer('4lw.commands.whitelist=*', async (port) => {
    const a = await connect(port, 30000);
    const b = await connect(port, 10000);
    try {
      await call((cb) => a.create('/app', Buffer.from('x'), cb));
      await call((cb) => a.create('/app/eph', Buffer.from('e'), zk.CreateMode.EPHEMERAL, cb));
      await call((cb) => b.create('/eph2', null, zk.CreateMode.EPHEMERAL, cb));
      await call((cb) => a.getData('/app', () => {}, cb));
      await call((cb) => a.exists('/missing', () => {}, cb));
      await call((cb) => b.getData('/app', () => {}, cb));
      await call((cb) => b.getChildren('/app', () => {}, cb));
      await writeAll(port, outRoot, allWords);
    } finally {
      a.close();
      b.close();
      await new Promise((r) => setTimeout(r, 300));
    }
  });
  // 2. A fresh server with no sessions.
  await withServer('4lw.commands.whitelist=*', (port) => writeAll(port, path.join(outRoot, 'fresh'), ['srvr', 'stat', 'cons', 'dump', 'wchs', 'wchc', 'wchp']));
  // 3. The default whitelist (srvr only).
  await withServer('', (port) => writeAll(port, path.join(outRoot, 'default-whitelist'), ['srvr', 'ruok', 'stat', 'mntr', 'isro']));
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
