/** WatchedEvent.toString() as zkCli prints it after `WATCHER::`. */

export interface PrintableEvent {
  type: string;
  state: string;
  path: string | null;
  zxid: number;
}

/** 3.8 prints no zxid; 3.9 appends ` zxid: N` (-1 for session events). */
export type EventStyle = '3.8' | '3.9';

export function eventText(event: PrintableEvent, style: EventStyle): string {
  const base = `WatchedEvent state:${event.state} type:${event.type} path:${event.path ?? 'null'}`;
  return style === '3.9' ? `${base} zxid: ${event.zxid}` : base;
}

/** What ZooKeeperMain.printMessage writes for one event: "\nWATCHER::\n" then "\n<event>\n". */
export function watcherBlock(event: PrintableEvent, style: EventStyle): string {
  return `\nWATCHER::\n\n${eventText(event, style)}\n`;
}
