import { charWidthPx, diagramWidthPxMax, escapeXml, renderHtml, renderSvg, wrapText } from './diagram';
import { narrate } from './narrate';
import { paxosCase2Lost, paxosLivelock } from './paxos-scenarios';
import { scenarios } from './scenarios';
import { checkXml } from './xml-check';

describe('checkXml', () => {
  it('accepts balanced markup with one root', () => {
    expect(checkXml('<?xml version="1.0"?><a x="1"><b/><c>t &amp; u</c></a>')).toMatchObject({ ok: true, root: 'a', elementCount: 3 });
  });

  it.each([
    ['<a><b></a>', '</a> closes <b>'],
    ['<a></a><b></b>', 'second root'],
    ['<a>x & y</a>', 'bare &'],
    ['<a>', 'unclosed'],
    ['<a x=1></a>', 'malformed tag'],
    ['text', 'text outside'],
  ])('rejects %s', (xml, error) => {
    const r = checkXml(xml);
    expect(r.ok).toBe(false);
    expect(r.errors.join(' ')).toContain(error);
  });
});

describe('sequence diagrams', () => {
  const traced = scenarios.filter((s) => s.name !== 'safety' && s.name !== 'check');

  it.each(traced.map((s) => [`${s.group} ${s.name}`, s] as const))('%s: well-formed SVG with every message drawn', (_id, s) => {
    const run = s.run({ seed: 3, count: 10 });
    const trace = run.trace!;
    const svg = renderSvg(trace, { summary: run.summary });
    const check = checkXml(svg);
    expect(check.errors).toEqual([]);
    expect(check.root).toBe('svg');
    const drawn = [...svg.matchAll(/<g class="message [^"]*" data-id="(\d+)">/g)].map((m) => Number(m[1]));
    expect(drawn).toEqual(trace.messages.map((m) => m.id));
    for (const lane of trace.lanes) expect(svg).toContain(`data-lane="${lane}"`);
    expect(svg).not.toMatch(/<(script|image|link|use)\b|href=/);
  });

  it.each(traced.map((s) => [`${s.group} ${s.name}`, s] as const))('%s: at most 1000 px wide, every text inside the picture', (_id, s) => {
    const run = s.run({ seed: 3, count: 10 });
    const svg = renderSvg(run.trace!, { summary: run.summary });
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    expect(width).toBeLessThanOrEqual(diagramWidthPxMax);
    for (const t of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
      const attrs = t[1];
      if (/class="(title|time)"|text-anchor="middle"/.test(attrs)) continue;
      const x = Number(/ x="([\d.-]+)"/.exec(attrs)![1]);
      const chars = t[2].replace(/&(amp|lt|gt|quot);/g, '_').length;
      const [left, right] = /text-anchor="end"/.test(attrs) ? [x - chars * charWidthPx, x] : [x, x + chars * charWidthPx];
      expect({ text: t[2], left: left >= 0, right: right <= width + 1 }).toEqual({ text: t[2], left: true, right: true });
    }
  });

  it('labels carry the send and delivery times the narration shows', () => {
    const r = paxosCase2Lost();
    const svg = renderSvg(r.trace);
    const lines = narrate(r.trace);
    for (const m of r.trace.messages) {
      if (m.deliveredAt === undefined) continue;
      expect(svg).toContain(`>${escapeXml(m.label)} t=${m.sentAt}-&gt;${m.deliveredAt}</text>`);
      expect(lines.some((l) => l.startsWith(`t=${m.deliveredAt}ms`) && l.includes(m.label) && (m.deliveredAt === m.sentAt || l.includes(`(sent ${m.sentAt})`)))).toBe(true);
    }
  });

  it('marks lost and stopped messages, and escapes labels', () => {
    const lost = renderSvg(paxosCase2Lost().trace);
    expect(lost.match(/class="message lost /g)).toHaveLength(1);
    const r = paxosLivelock();
    const stopped = renderSvg(r.trace);
    expect(stopped.match(/class="message in-flight /g)).toHaveLength(r.trace.messages.filter((m) => m.inFlight).length);
    expect(escapeXml('C>L2 said "a" & <b>')).toBe('C&gt;L2 said &quot;a&quot; &amp; &lt;b&gt;');
  });

  it('writes a well-formed XHTML page holding the SVG and the narration', () => {
    const trace = paxosLivelock().trace;
    const html = renderHtml(trace, narrate(trace));
    const check = checkXml(html);
    expect(check.errors).toEqual([]);
    expect(check.root).toBe('html');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('LIVELOCK');
  });
});

describe('wrapText', () => {
  it('splits at spaces within the width and indents continuation lines', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', '    ccc']);
    expect(wrapText('short', 40)).toEqual(['short']);
  });
});

describe('narration', () => {
  it('lists events in time order, one line per message and note', () => {
    const trace = paxosLivelock().trace;
    const lines = narrate(trace).slice(2);
    expect(lines).toHaveLength(trace.messages.length + trace.notes.length);
    const times = lines.map((l) => Number(/^t=(\d+)ms/.exec(l)![1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(lines[1]).toMatch(/^t=1ms\s+P1\s+->\s+A1\s+prepare\(1\.1\)/);
  });
});
