/**
 * `npx nx run distribute-client:walkthrough` — plays the seed's online/offline case by itself: a node,
 * the client, three servers that come and go (Ctrl-C and kill -9), with a line of narration per step.
 * Uses an embedded node unless --connect / COORD_CONNECT names one.
 */
import { Command, exitOnUsage, Option, parseStrict } from '@coord/cli';
import { startEmbeddedNode } from '@coord/demo';
import { spawnApp, type AppProcess } from './spawn-app';

/** The servers' session timeout here: short, so the kill -9 step takes seconds, not half a minute. */
export const walkthroughSessionTimeoutMs = 2_000;
/** Upper bound for any one step (ms): starting a process under nx/swc takes a few seconds on a busy machine. */
const stepTimeoutMs = 60_000;

const say = (text: string) => process.stdout.write(`\n== ${text}\n`);

export async function walkthrough(connectString: string): Promise<void> {
  const procs: AppProcess[] = [];
  const app = (name: string, project: string, args: string[]) => {
    const p = spawnApp(name, project, args, { onLine: (l) => process.stdout.write(`   ${name.padEnd(9)}| ${l}\n`) });
    procs.push(p);
    return p;
  };
  const server = (name: string) => app(name, 'distribute-server', [name, `--connect=${connectString}`, `--session-timeout=${walkthroughSessionTimeoutMs}`]);
  try {
    say(`terminal 1: npx nx run distribute-client:serve --args="--connect=${connectString}"`);
    const client = app('client', 'distribute-client', [`--connect=${connectString}`, '--http-port=0']);
    const [, url] = await client.waitFor(/HTTP on (http:\/\/[\d.]+:\d+)/, stepTimeoutMs);
    await client.waitFor(/online servers: \[\]/, stepTimeoutMs);

    const expectList = async (names: string) => {
      const from = client.output().length;
      return { wait: () => client.waitFor(new RegExp(`online servers: \\[${names}\\]`), stepTimeoutMs, from) };
    };
    let next = await expectList('hadoop102');
    say('terminal 2: npx nx run distribute-server:serve --args=hadoop102');
    const s102 = server('hadoop102');
    await next.wait();
    next = await expectList('hadoop102, hadoop103');
    say('terminal 3: npx nx run distribute-server:serve --args=hadoop103');
    const s103 = server('hadoop103');
    await next.wait();
    next = await expectList('hadoop102, hadoop103, hadoop104');
    say('terminal 4: npx nx run distribute-server:serve --args=hadoop104');
    const s104 = server('hadoop104');
    await next.wait();

    say(`curl ${url}/servers`);
    process.stdout.write(`   ${JSON.stringify(await (await fetch(`${url}/servers`)).json())}\n`);
    say(`curl ${url}/hello   (three times: round robin over the online servers)`);
    for (let i = 0; i < 3; i++) {
      const body = (await (await fetch(`${url}/hello?message=walkthrough`)).json()) as { result: { reply: string } };
      process.stdout.write(`   ${body.result.reply}\n`);
    }

    next = await expectList('hadoop102, hadoop104');
    say('Ctrl-C in terminal 3: hadoop103 deregisters and exits; the client is told at once');
    await s103.stop('SIGINT');
    await next.wait();

    next = await expectList('hadoop102');
    const killedAt = Date.now();
    say(`kill -9 hadoop104: nothing deregisters; its node goes when the session expires (${walkthroughSessionTimeoutMs} ms)`);
    await s104.stop('SIGKILL');
    await next.wait();
    process.stdout.write(`   (the client saw it ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill)\n`);

    next = await expectList('');
    say('Ctrl-C in terminal 2: the last server leaves');
    await s102.stop('SIGINT');
    await next.wait();
    say('done: stopping the client');
    await client.stop('SIGINT');
  } finally {
    for (const p of procs) await p.stop('SIGKILL');
  }
}

async function main(): Promise<void> {
  const program = new Command('walkthrough')
    .description('Starts a node (unless told which to use), the client and three servers, stops one with Ctrl-C and one with kill -9, narrating each step.')
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addOption(new Option('--connect <host:port,...[/chroot]>', 'use this coordination service (default: $COORD_CONNECT, else an embedded node)'));
  try {
    parseStrict(program, process.argv.slice(2));
  } catch (err) {
    exitOnUsage('walkthrough', err);
    throw err;
  }
  const given = program.opts<{ connect?: string }>().connect ?? (process.env['COORD_CONNECT'] || undefined);
  const node = given ? undefined : await startEmbeddedNode();
  const connectString = given ?? node!.connectString;
  say(node ? `an embedded coordination node on ${connectString} (like: npx nx run coord-node:serve)` : `using the coordination service at ${connectString}`);
  try {
    await walkthrough(connectString);
  } finally {
    await node?.close();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`walkthrough: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
