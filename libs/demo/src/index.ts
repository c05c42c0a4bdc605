/**
 * What the demo apps share: the distribute-server's configuration and Nest microservice (started by
 * its own main and by distribute-client's tests), and the coordination node the demos embed when no
 * connect string is given.
 */
export * from './embedded';
export * from './server-config';
export * from './server';
export * from './server.controller';
