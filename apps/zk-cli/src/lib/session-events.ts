/** The session events zkCli prints, derived from the client's connection states. */
import type { ClientState } from './client-port';

/** KeeperState name of the event zkCli prints on entering a state (none for 'connecting'). */
export function keeperStateFor(state: ClientState): string | undefined {
  switch (state) {
    case 'connected':
    case 'reconnected':
      return 'SyncConnected';
    case 'read-only':
      return 'ConnectedReadOnly';
    case 'suspended':
      return 'Disconnected';
    case 'lost':
      return 'Expired';
    case 'closed':
      return 'Closed';
    default:
      return undefined;
  }
}

/** ZooKeeper.States name shown in the prompt. */
export function promptStateFor(state: ClientState | undefined): string {
  switch (state) {
    case undefined:
      return 'NOT_CONNECTED';
    case 'connected':
    case 'reconnected':
      return 'CONNECTED';
    case 'read-only':
      return 'CONNECTEDREADONLY';
    case 'connecting':
    case 'suspended':
      return 'CONNECTING';
    default:
      return 'CLOSED';
  }
}

/** zkCli runs commands only while the session is alive (not closed, expired or failed). */
export function isAlive(state: ClientState | undefined): boolean {
  return state !== undefined && state !== 'closed' && state !== 'lost';
}
