import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '@coord/testing';
import { startAuthXidProxy } from './auth-xid-proxy';
import { oursKinds, serverKinds, startServer } from './servers';
import { epochOf, withoutEpoch } from './zxid-epoch';

/**
 * A client in a third language: go-zookeeper (Debian's golang-github-samuel-go-zookeeper-dev, built
 * offline in GOPATH mode) runs go/scenario.go against Apache ZooKeeper, our node and an ensemble
 * follower, which must print the same lines. go-zookeeper numbers its auth packet like every other
 * request, so a server that answers auth with xid -4 leaves AddAuth waiting: the last case puts such a
 * server (a proxy rewriting the xid) in front of our node and requires the scenario to fail there.
 */
const goBinary = process.env['COORD_GO'] ?? '/usr/bin/go';
const goPath = process.env['COORD_GOPATH'] ?? '/usr/share/gocode';
const goZooKeeperSource = join(goPath, 'src', 'github.com', 'samuel', 'go-zookeeper', 'zk');
const scenarioSource = join(__dirname, '..', 'go', 'scenario.go');
const installHint = 'install them with: sudo apt-get install -y golang-go golang-github-samuel-go-zookeeper-dev (see .ci/run)';
const buildDeadlineMs = 180_000;
const runDeadlineMs = 90_000;
/** The scenario's exit code when a call or an awaited event timed out. */
const timedOutExitCode = 3;

interface GoRun {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<GoRun> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && (err as { killed?: boolean }).killed) return reject(new Error(`${file} ${args.join(' ')} was killed after ${timeoutMs} ms\n${stdout}\n${stderr}`));
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('go-zookeeper behaves the same against Apache ZooKeeper, our node and an ensemble follower', () => {
  const outputs: Record<string, string> = {};
  let scenario = '';
  let withBrokenAuthXid: GoRun | undefined;
  let removeBuildDir: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!existsSync(goBinary)) throw new Error(`the Go toolchain is missing (${goBinary}): ${installHint}`);
    if (!existsSync(goZooKeeperSource)) throw new Error(`go-zookeeper's source is missing (${goZooKeeperSource}): ${installHint}`);
    const dir = await tempDir('coordinode-go-');
    removeBuildDir = dir.remove;
    scenario = join(dir.path, 'scenario');
    // GOPATH mode on Debian's packaged source: no module download, no network (GOPROXY=off).
    const goEnv = {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: goPath,
      GOPROXY: 'off',
      GOFLAGS: '',
      GOCACHE: process.env['GOCACHE'] ?? join(tmpdir(), 'coordinode-gocache'),
    };
    const build = await run(goBinary, ['build', '-o', scenario, scenarioSource], goEnv, buildDeadlineMs);
    if (build.code !== 0) throw new Error(`go build of ${scenarioSource} failed (exit ${build.code}):\n${build.stdout}\n${build.stderr}`);

    for (const kind of serverKinds) {
      const server = await startServer(kind);
      try {
        const result = await run(scenario, [server.connectString], process.env, runDeadlineMs);
        if (result.code !== 0) throw new Error(`the Go scenario failed against ${kind} (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
        outputs[kind] = withoutEpoch(result.stdout, await epochOf(server));
        if (kind === 'coordinode') {
          const proxy = await startAuthXidProxy(server.host, server.port);
          try {
            withBrokenAuthXid = await run(scenario, [`${proxy.host}:${proxy.port}`], process.env, runDeadlineMs);
          } finally {
            await proxy.close();
          }
        }
      } finally {
        await server.stop();
      }
    }
  }, 420_000);

  afterAll(async () => {
    await removeBuildDir?.();
  });

  it('the reference run exercised watches, multi, auth and ephemerals (sanity check)', () => {
    const ref = outputs['apache'];
    expect(ref).toContain('addauth digest -> ok');
    expect(ref).toMatch(/^get \/go\/secret -> "s" czxid=/m);
    expect(ref).toContain('get /go/secret -> error zk: not authenticated');
    expect(ref).toMatch(/^multi -> ok \| "\/go\/tx" /m);
    // ZooKeeper reports the ops before the failing one with code 0, which go-zookeeper shows as no error.
    expect(ref).toMatch(/^multi failing -> error zk: version conflict \| ok \| error zk: version conflict$/m);
    for (const ev of ['exists-watch: EventNodeCreated /go/later', 'data-watch: EventNodeDataChanged /go/later', 'child-watch: EventNodeChildrenChanged /go', 'delete-watch: EventNodeDeleted /go/later', 'eph-watch: EventNodeDeleted /go/eph']) {
      expect(ref).toContain(ev);
    }
  });

  it.each(oursKinds)('prints the same lines (%s)', (kind) => {
    expect(outputs[kind].split('\n')).toEqual(outputs['apache'].split('\n'));
  });

  it('fails (AddAuth times out) when the server answers auth with xid -4 instead of the request xid', () => {
    expect(withBrokenAuthXid?.code).toBe(timedOutExitCode);
    expect(withBrokenAuthXid?.stdout).toMatch(/^FAILED: addauth timed out/m);
    // Everything before the auth went through the proxy as usual.
    expect(withBrokenAuthXid?.stdout).toContain('multi failing -> ');
  });
});
