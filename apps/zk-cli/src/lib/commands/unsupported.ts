import { CliError, ExitCode, type CommandSpec } from './command';

/** Listed in zkCli's usage; this CLI names them and says they are not implemented. */
function unsupported(name: string, usage: string): CommandSpec {
  return {
    name,
    usage,
    options: {},
    async run() {
      throw new CliError(`${name} is not supported by this CLI`, ExitCode.commandError, 'UNSUPPORTED');
    },
  };
}

export const unsupportedCommands: CommandSpec[] = [
  unsupported(
    'reconfig',
    '[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
  ),
];
