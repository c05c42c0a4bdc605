// A trace as a self-contained sequence diagram: one SVG (or an XHTML page holding it) with no external
// fonts, scripts or images. Lanes run top to bottom; every distinct time gets a band tall enough for
// the notes and messages that start in it, and each message starts on its own row, so labels never
// sit on top of each other. An arrow's slope shows its delay.
import { Trace, TraceMessage, TraceNote } from './trace';

/** Diagrams stay within this width (px) so they fit a projector or a laptop screen without scrolling. */
export const diagramWidthPxMax = 1000;
const laneSpacingPxMax = 150;
const laneSpacingPxMin = 90;
const marginLeftPx = 90;
// Room for the last lane's box and the labels of arrows that end on it.
const marginRightPx = 90;
/** Width of one character of the 11 px monospace font, for keeping text inside the picture. */
export const charWidthPx = 7;
const headerPx = 96;
const rowPx = 18;
const bandGapPx = 10;
const footerLinePx = 18;
const labelFontPx = 11;

export interface DiagramOptions {
  /** Lines printed under the diagram: the scenario's outcome. */
  readonly summary?: readonly string[];
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Layout {
  readonly laneX: ReadonlyMap<string, number>;
  readonly bandY: ReadonlyMap<number, number>;
  readonly rowOfMessage: ReadonlyMap<number, number>;
  readonly rowOfNote: ReadonlyMap<number, number>;
  readonly bodyEndY: number;
  readonly width: number;
}

function laneSpacing(lanes: number): number {
  if (lanes <= 1) return laneSpacingPxMax;
  const fit = Math.floor((diagramWidthPxMax - marginLeftPx - marginRightPx) / (lanes - 1));
  return Math.max(laneSpacingPxMin, Math.min(laneSpacingPxMax, fit));
}

function layout(trace: Trace): Layout {
  const spacing = laneSpacing(trace.lanes.length);
  const laneX = new Map(trace.lanes.map((lane, i) => [lane, marginLeftPx + i * spacing]));
  const times = new Set<number>();
  trace.messages.forEach((m) => {
    times.add(m.sentAt);
    if (m.deliveredAt !== undefined) times.add(m.deliveredAt);
  });
  trace.notes.forEach((n) => times.add(n.at));
  const rowsAt = new Map<number, number>();
  const rowOfNote = new Map<number, number>();
  const rowOfMessage = new Map<number, number>();
  // Wide enough for the lanes, and for the longest participant's note when there are few lanes.
  const longestNotePx = Math.max(0, ...trace.notes.filter((n) => n.node !== undefined).map((n) => (n.node!.length + 2 + n.text.length) * charWidthPx + 16));
  const width = Math.ceil(Math.max(marginLeftPx + (trace.lanes.length - 1) * spacing + marginRightPx, Math.min(diagramWidthPxMax, longestNotePx)));
  trace.notes.forEach((n, i) => {
    const row = rowsAt.get(n.at) ?? 0;
    rowOfNote.set(i, row);
    rowsAt.set(n.at, row + noteLines(n, width).length);
  });
  trace.messages.forEach((m) => {
    const row = rowsAt.get(m.sentAt) ?? 0;
    rowOfMessage.set(m.id, row);
    rowsAt.set(m.sentAt, row + 1);
  });
  const bandY = new Map<number, number>();
  let y = headerPx;
  for (const t of [...times].sort((a, b) => a - b)) {
    bandY.set(t, y);
    y += Math.max(1, rowsAt.get(t) ?? 0) * rowPx + bandGapPx;
  }
  return { laneX, bandY, rowOfMessage, rowOfNote, bodyEndY: y, width };
}

/** Where a label starts: over its arrow from the left end, moved left (not past the edge) when it would run off the right. */
function labelStart(preferred: number, textPx: number, width: number): number {
  return Math.max(4, Math.min(preferred, Math.floor(width - 4 - textPx)));
}

function messageSvg(m: TraceMessage, l: Layout): string {
  const x1 = l.laneX.get(m.from)!;
  const x2 = l.laneX.get(m.to)!;
  // The label sits inside the message's own row and the line leaves from the row's bottom edge,
  // so a label never overlaps the note or label of the row above.
  const y1 = l.bandY.get(m.sentAt)! + (l.rowOfMessage.get(m.id)! + 1) * rowPx - 1;
  const arrived = m.deliveredAt !== undefined;
  const y2 = arrived ? Math.max(l.bandY.get(m.deliveredAt!)! + 2, y1 + 6) : y1 + rowPx;
  // A lost or stopped message is drawn only part of the way, ending in a cross or an ellipsis.
  const reach = arrived ? 1 : 0.55;
  const xe = x1 + (x2 - x1) * reach;
  const ye = y1 + (y2 - y1) * reach;
  const status = arrived ? (m.duplicate ? 'duplicate' : 'delivered') : m.inFlight ? 'in-flight' : 'lost';
  const cls = `message ${status} kind-${m.kind}`;
  const dir = x2 >= x1 ? 1 : -1;
  const anchor = dir === 1 ? 'start' : 'end';
  // The label says when the message left and when it arrived, as the narration does ("t=5ms ... (sent 3)").
  const when = arrived ? `t=${m.sentAt}->${m.deliveredAt}` : status === 'in-flight' ? `t=${m.sentAt}, stopped` : m.kind === 'silent' ? `t=${m.sentAt}` : `t=${m.sentAt}, lost`;
  const suffix = ` ${when}${status === 'duplicate' ? ' (dup)' : ''}`;
  const labelX = labelStart(Math.min(x1, x2) + 6, (m.label + suffix).length * charWidthPx, l.width);
  const labelY = y1 - 4;
  const end = status === 'lost'
    ? `<path class="cross" d="M${xe - 5} ${ye - 5} L${xe + 5} ${ye + 5} M${xe - 5} ${ye + 5} L${xe + 5} ${ye - 5}"/>`
    : status === 'in-flight'
      ? `<text class="stopped" x="${xe + dir * 4}" y="${ye + 4}" text-anchor="${anchor}">...</text>`
      : '';
  return [
    `<g class="${cls}" data-id="${m.id}">`,
    `<title>${escapeXml(`${m.from} -> ${m.to}: ${m.label} (${when})`)}</title>`,
    `<line x1="${x1}" y1="${y1}" x2="${xe}" y2="${ye}"${arrived ? ' marker-end="url(#arrow)"' : ''}/>`,
    end,
    `<text x="${labelX}" y="${labelY}">${escapeXml(m.label + suffix)}</text>`,
    `</g>`,
  ].join('');
}

/** The lines a note is drawn as: a verdict on the whole run (no participant) wraps to the picture's width. */
function noteLines(n: TraceNote, width: number): string[] {
  return n.node === undefined ? wrapText(n.text, Math.floor((width - 16) / charWidthPx)) : [`${n.node}: ${n.text}`];
}

/**
 * A participant's note starts at its lane and runs toward the side with room for it; a verdict on the
 * whole run starts at the left edge, as the summary does.
 */
function noteSvg(n: TraceNote, index: number, l: Layout): string {
  const top = l.bandY.get(n.at)! + l.rowOfNote.get(index)! * rowPx;
  const cls = `note ${n.tone ?? 'info'}${n.node === undefined ? ' verdict' : ''}`;
  const lines = noteLines(n, l.width);
  if (n.node === undefined) return lines.map((t, i) => `<text class="${cls}" x="8" y="${top + (i + 1) * rowPx - 5}">${escapeXml(t)}</text>`).join('');
  const x = l.laneX.get(n.node) ?? marginLeftPx;
  const textPx = lines[0].length * charWidthPx;
  const preferred = x <= l.width / 2 ? x + 6 : x - 6 - textPx;
  return `<text class="${cls}" x="${labelStart(Math.max(4, preferred), textPx, l.width)}" y="${top + rowPx - 5}">${escapeXml(lines[0])}</text>`;
}

/** Splits a line at spaces so that each piece fits `chars` characters (a longer word stays whole). */
export function wrapText(line: string, chars: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > chars) {
      out.push(current);
      current = `    ${word}`;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  out.push(current);
  return out;
}

const style = [
  'text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:' + labelFontPx + 'px;fill:#222}',
  '.title{font-size:16px;font-weight:bold}',
  '.lane rect{fill:#eef3fb;stroke:#3b6fb6}',
  '.lane text{font-size:13px;font-weight:bold}',
  '.lifeline{stroke:#9aa9bd;stroke-dasharray:4 4}',
  '.time{fill:#777}',
  '.message line{stroke:#333;stroke-width:1.2}',
  '.kind-promise line,.kind-accepted line{stroke:#2e7d32}',
  '.kind-nack line,.kind-silent line{stroke:#c62828}',
  '.kind-relay line{stroke:#6a1b9a}',
  '.lost line{stroke:#c62828;stroke-dasharray:5 3}',
  '.in-flight line{stroke:#999;stroke-dasharray:2 3}',
  '.cross{stroke:#c62828;stroke-width:2}',
  '.note{fill:#555;font-style:italic}',
  '.note.outcome{fill:#1b5e20;font-weight:bold;font-style:normal}',
  '.note.warn{fill:#b71c1c}',
  '.summary{font-size:12px}',
].join('');

export function renderSvg(trace: Trace, options: DiagramOptions = {}): string {
  const l = layout(trace);
  const width = l.width;
  const summary = (options.summary ?? []).flatMap((line) => wrapText(line, Math.floor((width - 16) / charWidthPx)));
  const height = l.bodyEndY + 20 + summary.length * footerLinePx + 20;
  const lanes = trace.lanes.map((lane) => {
    const x = l.laneX.get(lane)!;
    return `<g class="lane" data-lane="${escapeXml(lane)}"><rect x="${x - 32}" y="44" width="64" height="26" rx="4"/><text x="${x}" y="62" text-anchor="middle">${escapeXml(lane)}</text><line class="lifeline" x1="${x}" y1="70" x2="${x}" y2="${l.bodyEndY}"/></g>`;
  });
  const times = [...l.bandY].map(([t, y]) => `<text class="time" x="8" y="${y + 12}">${escapeXml(trace.timeUnit === 'ms' ? `t=${t}ms` : `${trace.timeUnit} ${t}`)}</text>`);
  const footer = summary.map((line, i) => `<text class="summary" x="8" y="${l.bodyEndY + 30 + i * footerLinePx}">${escapeXml(line)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>${style}</style>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#333"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="8" y="24">${escapeXml(trace.title)}</text>`,
    ...lanes,
    ...times,
    ...trace.notes.map((n, i) => noteSvg(n, i, l)),
    ...trace.messages.map((m) => messageSvg(m, l)),
    ...footer,
    `</svg>`,
  ].join('\n');
}

/** An XHTML page (well-formed XML) holding the diagram and the narration, for browsers that prefer pages. */
export function renderHtml(trace: Trace, narration: readonly string[], options: DiagramOptions = {}): string {
  return [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    `<head><meta charset="utf-8"/><title>${escapeXml(trace.title)}</title>`,
    '<style>body{font-family:sans-serif;margin:16px}pre{font-size:12px;background:#f6f6f6;padding:8px}</style></head>',
    '<body>',
    `<h1>${escapeXml(trace.title)}</h1>`,
    renderSvg(trace, options),
    `<pre>${escapeXml(narration.join('\n'))}</pre>`,
    '</body>',
    '</html>',
  ].join('\n');
}
