// The terminal view of a trace: one line per event in the order the simulation handled them.
import { Trace, TraceMessage } from './trace';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function timeColumn(trace: Trace, at: number): string {
  return pad(`${trace.timeUnit === 'ms' ? 't=' : `${trace.timeUnit} `}${at}${trace.timeUnit === 'ms' ? 'ms' : ''}`, 9);
}

function arrow(m: TraceMessage, lost: boolean): string {
  return `${pad(m.from, 4)} ${lost ? '-x' : '->'} ${pad(m.to, 4)}`;
}

export function narrate(trace: Trace): string[] {
  const lines: string[] = [trace.title, '-'.repeat(Math.min(trace.title.length, 100))];
  // Messages cut off by the end of the run are listed at the moment it stopped, with their send time.
  const stoppedAt = Math.max(0, ...trace.messages.map((m) => m.deliveredAt ?? m.sentAt), ...trace.notes.map((n) => n.at));
  for (const step of trace.steps) {
    if (step.type === 'note') {
      const note = trace.notes[step.noteIndex];
      const mark = note.tone === 'outcome' ? '  ==> ' : note.tone === 'warn' ? '  !!  ' : '      ';
      lines.push(`${timeColumn(trace, note.at)}${mark}${note.node === undefined ? '' : `${note.node}: `}${note.text}`);
      continue;
    }
    const m = trace.messages[step.messageId - 1];
    if (step.type === 'in-flight') {
      lines.push(`${timeColumn(trace, stoppedAt)}${pad(m.from, 4)} ~> ${pad(m.to, 4)}  ${m.label}   (sent ${m.sentAt}) still in flight when the run stopped`);
      continue;
    }
    const lost = step.type === 'lost';
    const when = lost ? m.sentAt : m.deliveredAt!;
    const extra = lost ? '   LOST' : m.duplicate ? `   (duplicate, sent ${m.sentAt})` : m.deliveredAt !== m.sentAt ? `   (sent ${m.sentAt})` : '';
    lines.push(`${timeColumn(trace, when)}${arrow(m, lost)}  ${m.label}${extra}`);
  }
  return lines;
}
