/**
 * `npx nx run distribute-client:serve` — the seed's DistributeClient: prints the online servers on every
 * change, and forwards HTTP requests to them over the microservice transport.
 */
import { announcePid, exitOnUsage, stopOnce } from '@coord/cli';
import { PlainLogger } from '@coord/nest';
import { parseClientConfig, type ClientConfig } from './config';
import { startClient } from './client';

async function main(): Promise<void> {
  const logger = new PlainLogger();
  let config: ClientConfig;
  try {
    config = parseClientConfig(process.argv.slice(2), process.env);
  } catch (err) {
    exitOnUsage('distribute-client', err);
    throw err;
  }
  announcePid('distribute-client');
  let client: Awaited<ReturnType<typeof startClient>> | undefined;
  stopOnce(async () => {
    await client?.close();
    process.exit(0);
  });
  client = await startClient(config, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`distribute-client: ${(err as Error).message}\n`);
  process.exit(1);
});
