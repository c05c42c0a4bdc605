/**
 * `npx nx run distribute-server:serve --args=hadoop102` — the seed's DistributeServer: registers itself
 * under /servers, answers requests, deregisters on Ctrl-C / SIGTERM.
 */
import { PlainLogger } from '@coord/nest';
import { parseServerConfig } from './config';
import { startServer } from './server';

async function main(): Promise<void> {
  const logger = new PlainLogger();
  let config;
  try {
    config = parseServerConfig(process.argv.slice(2), process.env);
  } catch (err) {
    logger.error((err as Error).message, 'DistributeServer');
    process.exit(2);
  }
  // A signal during start-up (e.g. while still waiting for the coordination service) exits at once.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const stop = async (signal: string) => {
    if (!server) process.exit(0);
    logger.log(`${config.name} is going offline (${signal})`, 'DistributeServer');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  server = await startServer(config, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`distribute-server: ${(err as Error).message}\n`);
  process.exit(1);
});
