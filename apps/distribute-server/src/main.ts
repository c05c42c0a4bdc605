/**
 * `npx nx run distribute-server:serve --args=hadoop102` — the seed's DistributeServer: registers itself
 * under /servers, answers requests, deregisters on Ctrl-C / SIGTERM or when its launcher exits.
 */
import { announcePid, exitOnUsage, listenErrorLine, stopOnce } from '@coord/cli';
import { PlainLogger } from '@coord/nest';
import { parseServerConfig, startServer, type DemoServerConfig } from '@coord/demo';

const name = 'distribute-server';

async function main(): Promise<void> {
  const logger = new PlainLogger();
  let config: DemoServerConfig;
  try {
    config = parseServerConfig(process.argv.slice(2), process.env);
  } catch (err) {
    exitOnUsage(name, err);
    throw err;
  }
  announcePid(name);
  // A signal during start-up (e.g. while still waiting for the coordination service) exits at once.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  stopOnce(async (reason) => {
    if (!server) process.exit(0);
    logger.log(`${config.name} is going offline (${reason})`, 'DistributeServer');
    await server.close();
    process.exit(0);
  });
  try {
    server = await startServer(config, logger);
  } catch (err) {
    const line = listenErrorLine(err, { host: config.host, port: config.port, portFlag: '--port', hostFlag: '--host' });
    if (!line) throw err;
    process.stderr.write(`${name}: ${line}\n`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${name}: ${(err as Error).message}\n`);
  process.exit(1);
});
