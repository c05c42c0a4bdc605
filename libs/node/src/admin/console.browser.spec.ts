/// <reference lib="dom" />
/**
 * The web console as a person uses it: Debian's chromium (driven by playwright-core, no browser
 * download) opens the console of a live node and of a live three-member ensemble. It checks the tree
 * after zkCli-style creates, sees a change arrive live, sees the lock queue move while lock-demo runs,
 * and sees another member lead after the leader is killed. Under CI=true a missing chromium fails.
 * With COORD_CONSOLE_SCREENSHOTS=<dir> it also saves screenshots of the main views (docs/images).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createClient, type ZkClient } from '@coord/client';
import { digestId } from '@coord/data-tree';
import { freePort, spawnCoordinode, stopProcess, tempDir, workspaceRoot, type SpawnedNode } from '@coord/testing';

const chromiumPath = process.env['COORD_CHROMIUM'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const shots = process.env['COORD_CONSOLE_SCREENSHOTS'];
const describeIfBrowser = haveChromium || process.env['CI'] === 'true' ? describe : describe.skip;
const uiTimeoutMs = 15_000;

jest.setTimeout(120_000);

/** The AdminServer URL a node logs at start (`AdminServer on http://127.0.0.1:N`). */
async function adminUrlOf(node: SpawnedNode): Promise<string> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const m = /AdminServer on (http:\/\/[^\s]+)/.exec(node.log());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the node never logged its AdminServer URL:\n${node.log()}`);
}

async function shot(page: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

/** Runs commands through our zkCli-compatible shell (bin/zkcli.js, piped like a terminal session); its output. */
function zkcli(connectString: string, commands: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(workspaceRoot, 'bin/zkcli.js'), '-server', connectString], { cwd: workspaceRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin!.end(commands.map((c) => `${c}\n`).join(''));
  });
}

describeIfBrowser('web console in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`chromium not found at ${chromiumPath} (apt-get install chromium; .ci/run installs it)`);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(() => browser?.close());

  describe('against a live standalone node', () => {
    let node: SpawnedNode;
    let base: string;
    let zk: ZkClient;
    let page: Page;

    beforeAll(async () => {
      node = await spawnCoordinode({ config: { 'admin.enableServer': 'true', 'admin.serverPort': '0', '4lw.commands.whitelist': '*' } });
      base = await adminUrlOf(node);
      zk = createClient(node.connectString, { sessionTimeoutMs: 10_000 });
      await zk.connect({ timeoutMs: 5000 });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    });
    afterAll(async () => {
      await page?.close();
      await zk?.close();
      await node?.stop();
    });

    it('shows the tree after zkCli-style creates: children, breadcrumbs, data as text, JSON and hex, stat and owner', async () => {
      // Typed into the zkCli-compatible shell, as a person would; the ephemeral one from a session that stays.
      const shell = await zkcli(node.connectString, ['create /sanguo diaochan', 'create /sanguo/shuguo {"king":"liubei"}']);
      expect(shell).toContain('Created /sanguo/shuguo');
      const { path: wu } = await zk.create('/sanguo/wuguo', 'zhouyu', { mode: 'ephemeral-sequential' });
      await page.goto(`${base}/#tree`);
      await page.click('#children a[data-child="sanguo"]', { timeout: uiTimeoutMs });
      // Read-only unless the node allows writes: no write controls at all.
      expect(await page.isHidden('#writepanel')).toBe(true);
      await page.waitForSelector('#children a[data-child="shuguo"]', { timeout: uiTimeoutMs });
      expect(await page.textContent('#crumbs')).toContain('sanguo');
      expect(await page.textContent('#data')).toBe('diaochan');
      await page.click(`#children a[data-child="${wu.split('/').pop()}"]`);
      await page.waitForFunction(() => document.getElementById('data')?.textContent === 'zhouyu', undefined, { timeout: uiTimeoutMs });
      expect(await page.textContent('#stat')).toContain(`session 0x${BigInt.asUintN(64, zk.sessionId).toString(16)}`);
      await page.click('#crumbs a:has-text("sanguo")');
      await page.click('#children a[data-child="shuguo"]');
      await page.click('#fmt button[data-fmt="json"]');
      await page.waitForFunction(() => (document.getElementById('data')?.textContent ?? '').includes('"king": "liubei"'), undefined, { timeout: uiTimeoutMs });
      await shot(page, 'console-tree');
      await page.click('#fmt button[data-fmt="hex"]');
      expect(await page.textContent('#data')).toContain('7b 22 6b 69 6e 67');
    });

    it('sees a change arrive live on the event stream', async () => {
      await page.goto(`${base}/#events`);
      await page.waitForSelector('#live:has-text("live")', { timeout: uiTimeoutMs });
      await zk.create('/sanguo/weiguo', 'caocao');
      await page.waitForSelector('#eventrows tr[data-type="create"][data-path="/sanguo/weiguo"]', { timeout: uiTimeoutMs });
      await zk.setData('/sanguo/weiguo', 'simayi');
      await page.waitForSelector('#eventrows tr[data-type="setData"][data-path="/sanguo/weiguo"]', { timeout: uiTimeoutMs });
      await shot(page, 'console-events');
    });

    it('sees the lock queue change while lock-demo runs', async () => {
      const demo: ChildProcess = spawn(
        process.execPath,
        ['-r', '@swc-node/register', 'apps/lock-demo/src/main.ts', `--connect=${node.connectString}`, '--workers=4', '--rounds=6', '--hold-ms=300'],
        { cwd: workspaceRoot, stdio: 'ignore', env: { ...process.env, CI: 'true', SWC_NODE_PROJECT: 'tsconfig.base.json' } },
      );
      try {
        await page.goto(`${base}/#locks`);
        const panel = '#queues [data-queue="/locks/lock-demo"]';
        await page.waitForSelector(`${panel} tr[data-state="waiting"]`, { timeout: 30_000 });
        const holderOf = () => page.textContent(`${panel} tr[data-state="holder"] td:nth-child(3)`);
        const first = await holderOf();
        expect(first).toMatch(/-lock-\d{10}$/);
        await shot(page, 'console-locks');
        // The holder releases after ~300 ms; the next in line takes over and the page shows it.
        await page.waitForFunction(
          ([sel, was]) => {
            const cell = document.querySelector(`${sel} tr[data-state="holder"] td:nth-child(3)`);
            return cell !== null && cell.textContent !== was;
          },
          [panel, first] as const,
          { timeout: uiTimeoutMs },
        );
      } finally {
        await stopProcess(demo);
      }
    });

    it('shows sessions with their ephemerals and the service registry', async () => {
      await zk.create('/servers').catch(() => undefined);
      await zk.create('/servers/server', '{"name":"hadoop102","host":"127.0.0.1","port":41234}', { mode: 'ephemeral-sequential' });
      await page.goto(`${base}/#registry`);
      await page.waitForSelector('#regrows td:has-text("hadoop102")', { timeout: uiTimeoutMs });
      await shot(page, 'console-services');
      await page.goto(`${base}/#sessions`);
      await page.waitForSelector('#sessionrows td:has-text("/sanguo/wuguo")', { timeout: uiTimeoutMs });
      await shot(page, 'console-sessions');
    });
  });

  describe('writes, when the node allows them', () => {
    let node: SpawnedNode;
    let base: string;
    let page: Page;

    beforeAll(async () => {
      node = await spawnCoordinode({
        config: { 'admin.enableServer': 'true', 'admin.serverPort': '0', 'admin.consoleWriteEnabled': 'true', 'DigestAuthenticationProvider.superDigest': digestId('admin:pw') },
      });
      base = await adminUrlOf(node);
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    });
    afterAll(async () => {
      await page?.close();
      await node?.stop();
    });

    it('creates a znode with the super user\'s credentials, refuses wrong ones, and expires a session', async () => {
      await page.goto(`${base}/#tree`);
      await page.waitForSelector('#writepanel:not([hidden])', { timeout: uiTimeoutMs });
      await page.fill('#wcred', 'admin:wrong');
      await page.fill('#wname', 'made-in-browser');
      await page.fill('#wdata', 'hello');
      await page.click('#wcreate');
      await page.waitForSelector('#wresult.err:has-text("credentials")', { timeout: uiTimeoutMs });
      await page.fill('#wcred', 'admin:pw');
      await page.click('#wcreate');
      await page.waitForSelector('#children a[data-child="made-in-browser"]', { timeout: uiTimeoutMs });

      const victim = createClient(node.connectString, { sessionTimeoutMs: 30_000 });
      await victim.connect({ timeoutMs: 5000 });
      await victim.create('/victim', 'x', { mode: 'ephemeral' });
      const sid = `0x${BigInt.asUintN(64, victim.sessionId).toString(16)}`;
      await page.goto(`${base}/#sessions`);
      await page.click(`button[data-expire="${sid}"]`, { timeout: uiTimeoutMs });
      await page.waitForFunction((id) => !document.querySelector(`tr[data-session="${id}"]`), sid, { timeout: uiTimeoutMs });
      await victim.close().catch(() => undefined);
    });
  });

  describe('against a live three-member ensemble', () => {
    const members: SpawnedNode[] = [];
    let root: { path: string; remove(): Promise<void> };
    let page: Page;

    beforeAll(async () => {
      root = await tempDir('coordinode-console-ensemble-');
      const host = '127.0.0.1';
      const ports = [];
      for (let id = 1; id <= 3; id++) ports.push({ id, client: await freePort(host), quorum: await freePort(host), election: await freePort(host) });
      const servers = Object.fromEntries(ports.map((p) => [`server.${p.id}`, `${host}:${p.quorum}:${p.election};${host}:${p.client}`]));
      const started = await Promise.all(
        ports.map(async (p) => {
          const dataDir = join(root.path, `member-${p.id}`);
          mkdirSync(dataDir, { recursive: true });
          writeFileSync(join(dataDir, 'myid'), `${p.id}\n`);
          return spawnCoordinode({
            dataDir,
            args: [`--port=${p.client}`],
            config: { tickTime: '100', initLimit: '20', syncLimit: '5', '4lw.commands.whitelist': '*', 'admin.enableServer': 'true', 'admin.serverPort': '0', ...servers },
          });
        }),
      );
      members.push(...started);
      page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    });
    afterAll(async () => {
      await page?.close();
      await Promise.all(members.map((m) => m.stop()));
      await root?.remove();
    });

    const leaderRow = '#members tr[data-mode="leader"]';

    it('shows every member\'s role and a healthy quorum, then a new leader after the leader is killed', async () => {
      // Watch through member 1's console unless member 1 leads; then through member 2's.
      const urls = await Promise.all(members.map(adminUrlOf));
      await page.goto(`${urls[0]}/#overview`);
      await page.waitForSelector(leaderRow, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelectorAll('#members tr[data-mode="follower"]').length === 2, undefined, { timeout: 30_000 });
      await page.waitForSelector('[data-testid="health"]:has-text("quorum healthy")', { timeout: uiTimeoutMs });
      const leaderId = Number(await page.getAttribute(leaderRow, 'data-member'));
      const zk = createClient(members.map((m) => m.connectString).join(','), { sessionTimeoutMs: 10_000 });
      await zk.connect({ timeoutMs: 5000 });
      for (const p of ['/app', '/app/config', '/app/workers']) await zk.create(p, 'x');
      await zk.close();
      await page.waitForFunction(() => !(document.querySelector('#members')?.textContent ?? '').includes('0x0'), undefined, { timeout: uiTimeoutMs });
      await shot(page, 'console-cluster');
      // The AdminServer commands of both roles, from the same members.
      const json = async (url: string) => JSON.parse(await (await fetch(url)).text());
      const followerId = leaderId === 1 ? 2 : 1;
      expect(await json(`${urls[leaderId - 1]}/commands/leader`)).toMatchObject({ command: 'leader', error: null, is_leader: true, leader_id: leaderId, leader_ip: '127.0.0.1' });
      expect(await json(`${urls[followerId - 1]}/commands/lead`)).toMatchObject({ is_leader: false, leader_id: leaderId });
      expect(await json(`${urls[followerId - 1]}/commands/zabstate`)).toMatchObject({ myid: followerId, is_leader: false, voting: true, zabstate: 'broadcast' });
      const view = (await json(`${urls[0]}/commands/voting_view`)).current_config;
      expect(Object.keys(view)).toEqual(['1', '2', '3']);
      expect(view['1']).toEqual({ server_addresses: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)], election_addresses: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)], client_address: members[0].connectString, learner_type: 'participant' });
      const monitor = await json(`${urls[leaderId - 1]}/commands/monitor`);
      expect(monitor).toMatchObject({ server_state: 'leader', learners: 2, synced_followers: 2, quorum_size: 2 });
      expect(monitor.cnt_election_time).toBeGreaterThanOrEqual(1);
      const watcher = leaderId === 1 ? 1 : 0;
      if (watcher !== 0) await page.goto(`${urls[watcher]}/#overview`);
      await page.waitForSelector(leaderRow, { timeout: uiTimeoutMs });
      await members[leaderId - 1].crash();
      await page.waitForFunction(
        (old) => {
          const row = document.querySelector('#members tr[data-mode="leader"]');
          return row !== null && row.getAttribute('data-member') !== String(old);
        },
        leaderId,
        { timeout: 45_000 },
      );
      await page.waitForSelector(`#members tr[data-member="${leaderId}"][data-mode="unreachable"]`, { timeout: uiTimeoutMs });
      await shot(page, 'console-failover');
      const newLeader = Number(await page.getAttribute(leaderRow, 'data-member'));
      expect(newLeader).not.toBe(leaderId);
      expect(await page.getAttribute(`#members tr[data-member="${leaderId}"]`, 'data-mode')).toBe('unreachable');
    });
  });
});
