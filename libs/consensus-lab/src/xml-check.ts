// A minimal well-formedness check for the diagrams we write (not a general XML parser): tags balance,
// there is exactly one root element, and attribute quotes and entities are sane. Enough to catch a
// broken renderer in tests without pulling in an XML library.

export interface XmlCheck {
  readonly ok: boolean;
  readonly root?: string;
  readonly elementCount: number;
  readonly errors: readonly string[];
}

const tagPattern = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
const entityPattern = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

export function checkXml(text: string): XmlCheck {
  const errors: string[] = [];
  const stack: string[] = [];
  let root: string | undefined;
  let rootClosed = false;
  let elementCount = 0;
  let i = 0;
  while (i < text.length && errors.length === 0) {
    const c = text[i];
    if (c === '&') {
      entityPattern.lastIndex = i;
      if (!entityPattern.exec(text)) errors.push(`bare & at ${i}`);
      i = entityPattern.lastIndex || i + 1;
      continue;
    }
    if (c !== '<') {
      if (stack.length === 0 && !/\s/.test(c)) errors.push(`text outside the root element at ${i}`);
      i++;
      continue;
    }
    if (text.startsWith('<!--', i) || text.startsWith('<!', i) || text.startsWith('<?', i)) {
      const close = text.startsWith('<!--', i) ? text.indexOf('-->', i) + 2 : text.indexOf('>', i);
      if (close < i) errors.push(`unterminated declaration at ${i}`);
      i = close + 1;
      continue;
    }
    tagPattern.lastIndex = i;
    const tag = tagPattern.exec(text);
    if (!tag) {
      errors.push(`malformed tag at ${i}: ${text.slice(i, i + 40)}`);
      break;
    }
    const [, closing, name, , selfClosing] = tag;
    i = tagPattern.lastIndex;
    if (closing) {
      const open = stack.pop();
      if (open !== name) errors.push(`</${name}> closes <${open ?? 'nothing'}>`);
      if (stack.length === 0) rootClosed = true;
      continue;
    }
    elementCount++;
    if (stack.length === 0) {
      if (root !== undefined) errors.push(`second root element <${name}>`);
      root = name;
    }
    if (selfClosing) {
      if (stack.length === 0) rootClosed = true;
    } else {
      stack.push(name);
    }
  }
  if (stack.length > 0) errors.push(`unclosed: ${stack.join(' > ')}`);
  if (!rootClosed && errors.length === 0) errors.push('no root element');
  return { ok: errors.length === 0, root, elementCount, errors };
}
