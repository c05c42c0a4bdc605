import { addauthCommand, getAclCommand, setAclCommand, whoamiCommand } from './acl-commands';
import type { CommandSpec } from './command';
import { createCommand } from './create';
import { deleteCommand } from './delete';
import { deleteallCommand } from './deleteall';
import { getCommand } from './get';
import { lsCommand } from './ls';
import { configCommand, getAllChildrenNumberCommand, getEphemeralsCommand, syncCommand, versionCommand } from './misc';
import {
  closeCommand,
  connectCommand,
  historyCommand,
  printwatchesCommand,
  quitCommand,
  redoCommand,
} from './session';
import { delquotaCommand, listquotaCommand, setquotaCommand } from './quota';
import { setCommand } from './set';
import { statCommand } from './stat';
import { unsupportedCommands } from './unsupported';
import { addWatchCommand, removewatchesCommand } from './watches';

export const commands: ReadonlyMap<string, CommandSpec> = new Map(
  [
    addWatchCommand,
    addauthCommand,
    closeCommand,
    configCommand,
    connectCommand,
    createCommand,
    deleteCommand,
    deleteallCommand,
    getCommand,
    getAclCommand,
    getAllChildrenNumberCommand,
    getEphemeralsCommand,
    historyCommand,
    lsCommand,
    printwatchesCommand,
    quitCommand,
    redoCommand,
    removewatchesCommand,
    setCommand,
    setAclCommand,
    statCommand,
    syncCommand,
    versionCommand,
    whoamiCommand,
    listquotaCommand,
    setquotaCommand,
    delquotaCommand,
    ...unsupportedCommands,
  ].map((c) => [c.name, c]),
);

/** Command names in Java's String order (UTF-16 units: `addWatch` before `addauth`). */
export const commandNames: readonly string[] = [...commands.keys()].sort();

/** zkCli's usage text (printed on stderr for an unknown command). */
export function usageText(): string[] {
  return [
    'ZooKeeper -server host:port -client-configuration properties-file cmd args',
    ...commandNames.map((name) => `\t${name} ${commands.get(name)!.usage}`),
  ];
}
