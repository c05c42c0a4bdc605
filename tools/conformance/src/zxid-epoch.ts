import { fourLetterWord, type RunningServer } from '@coord/testing';

/**
 * A zxid is epoch (high 32 bits) and counter (low 32 bits). A standalone server stays in epoch 0; a fresh
 * ensemble serves in the epoch of its first election (1 for Apache ZooKeeper), so the same scenario
 * prints `cZxid = 0x100000005` on an ensemble where a standalone server prints `cZxid = 0x5`. The suites
 * compare counters within the server's own epoch: `epochOf` reads it from `srvr` after the run, and
 * `withoutEpoch` rewrites only zxids of that epoch. A zxid of any other epoch (an election in the middle
 * of the run) stays as it is, so the comparison still fails on it.
 */
const counterBits = 32n;
const counterMask = (1n << counterBits) - 1n;

/** Apache ZooKeeper now and then closes a four-letter-word connection before its answer is out: ask again. */
const srvrAttemptsMax = 10;
const srvrRetryMs = 200;

/** `srvr` from the server, asked again until it has a Zxid line. */
export async function srvrOf(server: RunningServer): Promise<string> {
  let srvr = '';
  for (let attempt = 1; attempt <= srvrAttemptsMax; attempt++) {
    srvr = await fourLetterWord(server.host, server.port, 'srvr').catch((e: Error) => e.message);
    if (/^Zxid: 0x[0-9a-f]+$/m.test(srvr)) return srvr;
    await new Promise((r) => setTimeout(r, srvrRetryMs));
  }
  throw new Error(`no Zxid line in srvr from ${server.connectString} after ${srvrAttemptsMax} attempts:\n${srvr}`);
}

export async function epochOf(server: RunningServer): Promise<bigint> {
  const zxid = /^Zxid: (0x[0-9a-f]+)$/m.exec(await srvrOf(server))![1];
  return BigInt(zxid) >> counterBits;
}

function counterIn(epoch: bigint, zxid: bigint): bigint | undefined {
  return zxid >> counterBits === epoch ? zxid & counterMask : undefined;
}

/** `cZxid = 0x100000005` (zkCli.sh) and `czxid=4294967301` (the scenario scripts' stat lines) within `epoch`. */
export function withoutEpoch(text: string, epoch: bigint): string {
  if (epoch === 0n) return text;
  return text
    .replace(/\b([cmp]Zxid = )(0x[0-9a-f]+)\b/g, (all, key: string, hex: string) => {
      const counter = counterIn(epoch, BigInt(hex));
      return counter === undefined ? all : `${key}0x${counter.toString(16)}`;
    })
    .replace(/\b([cmp]zxid=)(\d+)\b/g, (all, key: string, dec: string) => {
      const counter = counterIn(epoch, BigInt(dec));
      return counter === undefined ? all : `${key}${counter}`;
    });
}
