// A tiny Markdown renderer for summaries: `##`/`###` headings, `-`/`*`/`1.` lists, paragraphs,
// **bold** and _italic_. Everything becomes React text nodes (escaped by React); no HTML from
// the text is ever interpreted.
import type { ReactNode } from 'react';

type Block =
  | { kind: 'h2' | 'h3' | 'p'; text: string }
  | { kind: 'ul' | 'ol'; items: string[] };

const bullet = /^\s*[-*+]\s+(.*)$/;
const numbered = /^\s*\d+[.)]\s+(.*)$/;

function parseBlocks(md: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ kind: 'p', text: para.join(' ') });
    para = [];
  };
  const addItem = (kind: 'ul' | 'ol', text: string) => {
    const last = blocks[blocks.length - 1];
    if (last && last.kind === kind) last.items.push(text);
    else blocks.push({ kind, items: [text] });
  };
  for (const raw of md.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    let m: RegExpMatchArray | null;
    if (line.trim() === '') {
      flush();
    } else if ((m = line.match(/^\s*(#{1,6})\s+(.*?)\s*#*$/))) {
      flush();
      // A summary sits under the page's own h1 and section h2: # and ## are h2, deeper h3.
      blocks.push({ kind: (m[1] ?? '').length <= 2 ? 'h2' : 'h3', text: m[2] ?? '' });
    } else if ((m = line.match(bullet))) {
      flush();
      addItem('ul', m[1] ?? '');
    } else if ((m = line.match(numbered))) {
      flush();
      addItem('ol', m[1] ?? '');
    } else {
      const last = blocks[blocks.length - 1];
      // A continuation line of a list item (indented, right after it).
      if (para.length === 0 && last && (last.kind === 'ul' || last.kind === 'ol') && /^\s+/.test(raw)) {
        last.items[last.items.length - 1] += ' ' + line.trim();
      } else {
        para.push(line.trim());
      }
    }
  }
  flush();
  return blocks;
}

/** **bold**, __bold__, *italic* and _italic_ as elements; the rest as plain text. */
function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /\*\*(.+?)\*\*|__(.+?)__|\*(?!\s)(.+?)\*|(?<![\p{L}\p{N}])_(?!\s)(.+?)_(?![\p{L}\p{N}])/gu;
  let at = 0;
  let key = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > at) out.push(text.slice(at, i));
    const bold = m[1] ?? m[2];
    if (bold !== undefined) out.push(<strong key={key++}>{bold}</strong>);
    else out.push(<em key={key++}>{m[3] ?? m[4]}</em>);
    at = i + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      {parseBlocks(source).map((b, i) => {
        switch (b.kind) {
          case 'h2':
            return <h3 key={i}>{inline(b.text)}</h3>;
          case 'h3':
            return <h4 key={i}>{inline(b.text)}</h4>;
          case 'p':
            return <p key={i}>{inline(b.text)}</p>;
          case 'ul':
          case 'ol': {
            const List = b.kind;
            return (
              <List key={i}>
                {b.items.map((item, j) => (
                  <li key={j}>{inline(item)}</li>
                ))}
              </List>
            );
          }
        }
      })}
    </div>
  );
}
