/**
 * Helpers that compare our four-letter-word texts with the Apache ZooKeeper 3.8.0 texts in
 * apache-3.8.0/ by structure: keys, order and separators, with values masked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const fixtureDir = join(__dirname, 'apache-3.8.0');
export const fixture = (name: string) => readFileSync(join(fixtureDir, `${name}.txt`), 'utf8');

export const versionPattern = /^\d+\.\d+\.\d+-\S+, built on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

/** Masks values so that only the structure is left. */
export function skeleton(text: string): string {
  return text
    .replace(/(Zookeeper version: |zookeeper\.version=|zk_version\t)[^\n]*/g, '$1<version>')
    .replace(/[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}/g, '<date>')
    .replace(/\/\d+\.\d+\.\d+\.\d+:\d+/g, '<addr>')
    .replace(/0x[0-9a-f]+/g, '<hex>')
    .replace(/-?\d+\.\d+(E-?\d+)?/g, '<double>')
    .replace(/-?\d+/g, '<int>');
}

/** Connection lines come in the server's iteration order, so compare them as a sorted block. */
function sortedConnectionLines(text: string): string {
  const lines = text.split('\n');
  const isConn = (l: string) => l.startsWith(' <addr>');
  const first = lines.findIndex(isConn);
  if (first < 0) return text;
  let end = first;
  while (end < lines.length && isConn(lines[end])) end++;
  return [...lines.slice(0, first), ...lines.slice(first, end).sort(), ...lines.slice(end)].join('\n');
}

/**
 * wchc/wchp list hash-ordered groups (a header line and its tab-indented lines). Sort the lines
 * inside each group and the groups inside each run of member groups (sessions, paths).
 */
function sortedGroups(text: string): string {
  const groups: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('\t') && groups.length > 0) groups[groups.length - 1].push(line);
    else groups.push([line]);
  }
  const out: string[] = [];
  let run: string[] = [];
  for (const [header, ...members] of groups) {
    const group = [header, ...members.sort()].join('\n');
    if (/^(<hex>|\/)/.test(header)) run.push(group);
    else {
      out.push(...run.sort(), group);
      run = [];
    }
  }
  return [...out, ...run.sort()].join('\n');
}

export function sameStructure(ours: string, apacheFixture: string): void {
  const normalize = (text: string) => sortedGroups(sortedConnectionLines(skeleton(text)));
  expect(normalize(ours)).toBe(normalize(fixture(apacheFixture)));
}

/**
 * `dump` depends on timing (which expiry bucket the asking connection lands in, empty buckets), so
 * it is checked against a grammar that Apache's text must satisfy too, plus its own arithmetic:
 * the header counts equal the buckets and members that follow, each bucket's count its members.
 */
const javaDate = '[A-Z][a-z]{2} [A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4}';
const dumpGrammar = new RegExp(
  '^SessionTracker dump:\\nSession Sets \\((\\d+)\\)/\\((\\d+)\\):\\n' +
    `((?:\\d+ expire at ${javaDate}:\\n(?:\\t0x[0-9a-f]+\\n)*)*)` +
    'ephemeral nodes dump:\\nSessions with Ephemerals \\((\\d+)\\):\\n((?:0x[0-9a-f]+:\\n(?:\\t/[^\\n]*\\n)*)*)' +
    'Connections dump:\\nConnections Sets \\((\\d+)\\)/\\((\\d+)\\):\\n' +
    `((?:\\d+ expire at ${javaDate}:\\n(?:\\tip: /[0-9.]+:\\d+ sessionId: 0x[0-9a-f]+\\n)*)*)$`,
);

export interface DumpSummary {
  sessionBuckets: number;
  sessions: number;
  ephemeralOwners: number;
  connectionBuckets: number;
  connections: number;
}

export function checkDump(text: string): DumpSummary {
  const m = dumpGrammar.exec(text);
  expect(m).not.toBeNull();
  const [, sessionBuckets, sessions, sessionBody, owners, ephemeralBody, connectionBuckets, connections, connectionBody] = m!;
  const checkBuckets = (body: string, bucketCount: string, memberCount: string) => {
    const buckets = body.split(/(?=^\d+ expire at)/m).filter((b) => b !== '');
    expect(buckets.length).toBe(Number(bucketCount));
    for (const bucket of buckets) expect(bucket.split('\n').filter((l) => l.startsWith('\t')).length).toBe(Number(/^\d+/.exec(bucket)![0]));
    expect((body.match(/^\t/gm) ?? []).length).toBe(Number(memberCount));
  };
  checkBuckets(sessionBody, sessionBuckets, sessions);
  checkBuckets(connectionBody, connectionBuckets, connections);
  expect((ephemeralBody.match(/^0x/gm) ?? []).length).toBe(Number(owners));
  return {
    sessionBuckets: Number(sessionBuckets),
    sessions: Number(sessions),
    ephemeralOwners: Number(owners),
    connectionBuckets: Number(connectionBuckets),
    connections: Number(connections),
  };
}
