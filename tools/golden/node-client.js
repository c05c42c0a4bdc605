// Drives node-zookeeper-client (no readOnly byte in its handshake, xids from 0) for capture.sh.
//   node node-client.js <host:port>
'use strict';
const zookeeper = require('node-zookeeper-client');

const client = zookeeper.createClient(process.argv[2], { sessionTimeout: 4000, retries: 0 });
const steps = [
  (cb) => client.create('/nzc', Buffer.from('node'), cb),
  (cb) => client.getData('/nzc', () => {}, cb),
  (cb) => client.setData('/nzc', Buffer.from('client'), -1, cb),
  (cb) => client.exists('/nzc', cb),
  (cb) => client.getChildren('/', cb),
  (cb) => client.getACL('/nzc', cb),
  (cb) => client.transaction().create('/nzc/t').setData('/nzc/t', Buffer.from('x')).remove('/nzc/t').commit(cb),
  (cb) => client.remove('/nzc', -1, cb),
  (cb) => client.getData('/nzc', (err) => cb(null, err && err.getCode())),
];
client.once('connected', () => {
  let i = 0;
  const next = () => {
    if (i === steps.length) return client.close();
    steps[i++]((err, result) => {
      console.log(`step ${i}:`, err ? String(err) : 'ok', result === undefined ? '' : String(result));
      next();
    });
  };
  next();
});
client.connect();
