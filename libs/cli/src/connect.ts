/** The `--connect` flag the demo apps share: a ZooKeeper connect string, from the flag or COORD_CONNECT. */
import { Option } from 'commander';

export const connectStringDefault = '127.0.0.1:2181';

export function connectOption(env: Record<string, string | undefined>): Option {
  const fromEnv = env['COORD_CONNECT'] || undefined;
  return new Option('--connect <host:port,...[/chroot]>', 'the coordination service (any ZooKeeper connect string)').default(
    fromEnv ?? connectStringDefault,
    fromEnv ? '$COORD_CONNECT' : `$COORD_CONNECT, else ${connectStringDefault}`,
  );
}
