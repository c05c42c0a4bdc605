/**
 * `npx nx run distribute-client:serve` — the seed's DistributeClient: prints the online servers on every
 * change, and forwards HTTP requests to them over the microservice transport.
 */
import { PlainLogger } from '@coord/nest';
import { parseClientConfig } from './config';
import { startClient } from './client';

async function main(): Promise<void> {
  const logger = new PlainLogger();
  let config;
  try {
    config = parseClientConfig(process.argv.slice(2), process.env);
  } catch (err) {
    logger.error((err as Error).message, 'DistributeClient');
    process.exit(2);
  }
  let client: Awaited<ReturnType<typeof startClient>> | undefined;
  const stop = async () => {
    await client?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  client = await startClient(config, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`distribute-client: ${(err as Error).message}\n`);
  process.exit(1);
});
