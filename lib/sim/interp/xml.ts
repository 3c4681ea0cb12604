/**
 * [xml] (System.Xml.XmlDocument) for the simulated host: a small XML reader and the nodes as
 * PowerShell shows them.
 *
 * - The cast parses the string as XmlDocument.LoadXml does; whitespace-only text between elements
 *   is not kept (checked with real PowerShell: `([xml]"<E>`n <A/>`n</E>").E.ChildNodes.Count` is 1);
 *   comments are XmlComment nodes. Malformed text fails the cast with InvalidCastToXmlDocument
 *   (the .NET parser's own message text is not reproduced).
 * - PowerShell's XmlNodeAdapter (PowerShell repository, src/System.Management.Automation/engine/
 *   CoreAdapter.cs, class XmlNodeAdapter): a node's attributes and child nodes are properties named
 *   by their LocalName, case-insensitively, ahead of the .NET properties; one node gives its value
 *   (GetNodeObject: a text node -> its text; a node with attributes -> the node; a node with no
 *   children or one text child -> its InnerText, a string; else the node), several give an array.
 * - .NET members modelled: LocalName, Name, Prefix, NamespaceURI, NodeType, Value, InnerText,
 *   OuterXml, ChildNodes (enumerated as an array), FirstChild, LastChild, HasChildNodes,
 *   DocumentElement (XmlDocument); the method GetAttribute (XmlElement).
 */
import { PsEnum, PsObject, type PsValue } from '../values';

export interface XmlAttr {
  name: string;
  localName: string;
  prefix: string;
  value: string;
}
export type XmlNode =
  | { kind: 'element'; name: string; localName: string; prefix: string; ns: string; attrs: XmlAttr[]; children: XmlNode[] }
  | { kind: 'text'; value: string }
  | { kind: 'comment'; value: string };
export type XmlElementNode = Extract<XmlNode, { kind: 'element' }>;

/** The cast to [xml] failed: the interpreter reports InvalidCastToXmlDocument. */
export class XmlParseError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * What XML 1.0 allows as a character (https://www.w3.org/TR/xml/#charsets): tab, line feed, carriage
 * return, U+0020-U+D7FF, U+E000-U+FFFD and the supplementary planes. XmlDocument.LoadXml checks it for
 * characters in the text and for character references alike (XmlReaderSettings.CheckCharacters, true
 * by default: https://learn.microsoft.com/dotnet/api/system.xml.xmlreadersettings.checkcharacters).
 */
function xmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** .NET's text for it (checked with pwsh 7.6: "'\u0006', hexadecimal value 0x06, is an invalid character."). */
function invalidCharacter(code: number, at: number): XmlParseError {
  const hex = code.toString(16).toUpperCase().padStart(2, '0');
  return new XmlParseError(`'${String.fromCodePoint(code)}', hexadecimal value 0x${hex}, is an invalid character. Near offset ${at}.`);
}

function decode(s: string, at: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);|&/g, (_m, e: string | undefined) => {
    if (!e) throw new XmlParseError(`An error occurred while parsing EntityName. Near offset ${at}.`);
    if (e.startsWith('#')) {
      const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      if (!xmlChar(code)) throw invalidCharacter(code, at);
      return String.fromCodePoint(code);
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlParseError(`Reference to undeclared entity '${e}'. Near offset ${at}.`);
    return v;
  });
}

/** Escapes text for XML content, or for an attribute value quoted with ' or ". */
export function escapeXml(s: string, attr = false): string {
  const t = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? t.replace(/"/g, '&quot;').replace(/'/g, '&apos;') : t;
}

function splitName(name: string): { prefix: string; localName: string } {
  const i = name.indexOf(':');
  return i < 0 ? { prefix: '', localName: name } : { prefix: name.slice(0, i), localName: name.slice(i + 1) };
}

/** Parses a whole document: one root element, optionally an XML declaration and comments around it. */
export function parseXml(text: string): XmlElementNode {
  for (let at = 0; at < text.length; at++) {
    const code = text.codePointAt(at)!;
    if (!xmlChar(code)) throw invalidCharacter(code, at);
    if (code > 0xffff) at++;
  }
  let i = 0;
  const fail = (what: string): never => {
    throw new XmlParseError(`${what} Near offset ${i}.`);
  };
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const name = (): string => {
    const m = /^[A-Za-z_][\w.:-]*/.exec(text.slice(i));
    if (!m) fail('Name expected.');
    i += m![0].length;
    return m![0];
  };
  const comment = (): XmlNode => {
    const end = text.indexOf('-->', i + 4);
    if (end < 0) fail('Unexpected end of file while parsing Comment.');
    const value = text.slice(i + 4, end);
    i = end + 3;
    return { kind: 'comment', value };
  };
  const element = (scope: Record<string, string>): XmlElementNode => {
    i++; // '<'
    const qname = name();
    const attrs: XmlAttr[] = [];
    for (;;) {
      skipWs();
      if (text.startsWith('/>', i) || text[i] === '>') break;
      const an = name();
      skipWs();
      if (text[i] !== '=') fail(`'=' expected after attribute '${an}'.`);
      i++;
      skipWs();
      const q = text[i];
      if (q !== '"' && q !== "'") fail(`Quote expected for attribute '${an}'.`);
      const end = text.indexOf(q, i + 1);
      if (end < 0) fail('Unexpected end of file in an attribute value.');
      const raw = text.slice(i + 1, end);
      if (raw.includes('<')) fail("'<' is not allowed in an attribute value.");
      attrs.push({ name: an, ...splitName(an), value: decode(raw, i) });
      i = end + 1;
      if (!/[\s/>]/.test(text[i] ?? '')) fail('Whitespace expected between attributes.');
    }
    const inner = { ...scope };
    for (const a of attrs) {
      if (a.name === 'xmlns') inner[''] = a.value;
      else if (a.prefix === 'xmlns') inner[a.localName] = a.value;
    }
    const { prefix, localName } = splitName(qname);
    const ns = inner[prefix];
    if (ns === undefined && prefix !== '') fail(`'${prefix}' is an undeclared prefix.`);
    const el: XmlElementNode = { kind: 'element', name: qname, localName, prefix, ns: ns ?? '', attrs, children: [] };
    if (text.startsWith('/>', i)) {
      i += 2;
      return el;
    }
    i++; // '>'
    for (;;) {
      if (i >= text.length) fail(`The '${qname}' start tag is not closed.`);
      if (text.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== qname) fail(`The '${qname}' start tag does not match the end tag of '${closing}'.`);
        skipWs();
        if (text[i] !== '>') fail("'>' expected.");
        i++;
        return el;
      }
      if (text.startsWith('<!--', i)) el.children.push(comment());
      else if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i);
        if (end < 0) fail('Unexpected end of file while parsing CDATA.');
        el.children.push({ kind: 'text', value: text.slice(i + 9, end) });
        i = end + 3;
      } else if (text[i] === '<') el.children.push(element(inner));
      else {
        const end = text.indexOf('<', i);
        const raw = text.slice(i, end < 0 ? text.length : end);
        // Whitespace-only text is not kept (XmlDocument.PreserveWhitespace is false).
        if (raw.trim() !== '') el.children.push({ kind: 'text', value: decode(raw, i) });
        i += raw.length;
      }
    }
  };
  skipWs();
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) fail('Unexpected end of file in the XML declaration.');
    i = end + 2;
  }
  let root: XmlElementNode | undefined;
  for (;;) {
    skipWs();
    if (i >= text.length) break;
    if (text.startsWith('<!--', i)) comment();
    else if (text[i] === '<' && /[A-Za-z_]/.test(text[i + 1] ?? '') && !root) root = element({});
    else fail('Data at the root level is invalid.');
  }
  if (!root) fail('Root element is missing.');
  return root!;
}

function innerText(n: XmlNode): string {
  return n.kind === 'element' ? n.children.map(innerText).join('') : n.kind === 'text' ? n.value : '';
}

export function outerXml(n: XmlNode): string {
  if (n.kind === 'text') return escapeXml(n.value);
  if (n.kind === 'comment') return `<!--${n.value}-->`;
  const attrs = n.attrs.map((a) => ` ${a.name}="${escapeXml(a.value, true)}"`).join('');
  return n.children.length ? `<${n.name}${attrs}>${n.children.map(outerXml).join('')}</${n.name}>` : `<${n.name}${attrs} />`;
}

const localNameOf = (n: XmlNode): string => (n.kind === 'element' ? n.localName : n.kind === 'text' ? '#text' : '#comment');

/** XmlNodeAdapter.GetNodeObject (see the header). */
function nodeValue(n: XmlNode, wrap: (n: XmlNode) => PsObject): PsValue {
  if (n.kind === 'text') return n.value;
  if (n.kind === 'comment') return wrap(n);
  if (n.attrs.length) return wrap(n);
  if (!n.children.length || (n.children.length === 1 && n.children[0].kind === 'text')) return innerText(n);
  return wrap(n);
}

const NODE_TYPES: Record<XmlNode['kind'] | 'document', [string, number]> = {
  element: ['Element', 1], text: ['Text', 3], comment: ['Comment', 8], document: ['Document', 9],
};

function nodeType(kind: XmlNode['kind'] | 'document'): PsEnum {
  const [name, value] = NODE_TYPES[kind];
  return new PsEnum('System.Xml.XmlNodeType', name, value);
}

/** The XmlDocument a cast to [xml] gives for `text`. */
export function xmlDocument(text: string): PsObject {
  const root = parseXml(text);
  const cache = new Map<XmlNode, PsObject>();
  const wrap = (n: XmlNode): PsObject => {
    const hit = cache.get(n);
    if (hit) return hit;
    const typeName = n.kind === 'element' ? 'System.Xml.XmlElement' : n.kind === 'text' ? 'System.Xml.XmlText' : 'System.Xml.XmlComment';
    const ns = n.kind === 'element' ? n.ns : '';
    const names = [typeName, ...(n.kind === 'element' ? ['System.Xml.XmlLinkedNode'] : ['System.Xml.XmlCharacterData', 'System.Xml.XmlLinkedNode']), 'System.Xml.XmlNode'];
    // (PowerShell also puts `<type>#<namespace>#<LocalName>` first in pstypenames; not modelled.)
    const o = new PsObject(names, () => typeName);
    cache.set(n, o);
    dotnetMembers(o, n.kind, n.kind === 'element' ? n.children : [], wrap);
    o.addProperty('LocalName', () => localNameOf(n));
    o.addProperty('Name', () => (n.kind === 'element' ? n.name : localNameOf(n)));
    o.addProperty('Prefix', () => (n.kind === 'element' ? n.prefix : ''));
    o.addProperty('NamespaceURI', () => ns);
    o.addProperty('Value', () => (n.kind === 'element' ? null : n.value));
    o.addProperty('InnerText', () => innerText(n));
    o.addProperty('OuterXml', () => outerXml(n));
    if (n.kind === 'element') {
      o.addMethod('GetAttribute', (args) => n.attrs.find((a) => a.name === String(args[0]))?.value ?? '');
      adapted(o, n, wrap);
    }
    return o;
  };
  const doc = new PsObject(['System.Xml.XmlDocument', 'System.Xml.XmlNode'], () => 'System.Xml.XmlDocument');
  dotnetMembers(doc, 'document', [root], wrap);
  doc.addProperty('LocalName', () => '#document');
  doc.addProperty('Name', () => '#document');
  doc.addProperty('NamespaceURI', () => '');
  doc.addProperty('Value', () => null);
  doc.addProperty('InnerText', () => innerText(root));
  doc.addProperty('OuterXml', () => outerXml(root));
  doc.addProperty('DocumentElement', () => wrap(root));
  doc.addProperty(root.localName, () => nodeValue(root, wrap));
  return doc;
}

function dotnetMembers(o: PsObject, kind: XmlNode['kind'] | 'document', children: XmlNode[], wrap: (n: XmlNode) => PsObject): void {
  o.addProperty('NodeType', () => nodeType(kind));
  o.addProperty('ChildNodes', () => children.map(wrap));
  o.addProperty('FirstChild', () => (children.length ? wrap(children[0]) : null));
  o.addProperty('LastChild', () => (children.length ? wrap(children[children.length - 1]) : null));
  o.addProperty('HasChildNodes', () => children.length > 0);
}

/** The adapter's properties: attributes then child nodes, grouped by LocalName, ahead of the .NET ones. */
function adapted(o: PsObject, n: XmlElementNode, wrap: (n: XmlNode) => PsObject): void {
  const groups = new Map<string, { name: string; values: Array<() => PsValue> }>();
  const add = (local: string, get: () => PsValue) => {
    const g = groups.get(local.toLowerCase()) ?? { name: local, values: [] };
    g.values.push(get);
    groups.set(local.toLowerCase(), g);
  };
  for (const a of n.attrs) add(a.localName, () => a.value);
  for (const c of n.children) add(localNameOf(c), () => nodeValue(c, wrap));
  for (const g of groups.values()) {
    o.addProperty(g.name, () => (g.values.length === 1 ? g.values[0]() : g.values.map((v) => v())));
  }
}
