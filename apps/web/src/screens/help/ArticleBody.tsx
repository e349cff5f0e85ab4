/**
 * A help article's body (docs/help.md, "Format"): paragraphs separated by a blank line, lines
 * starting `- ` (a list) or `1. ` (a numbered list), and `**bold**`. Rendered as React elements,
 * never as HTML, so an article can hold no markup. Used by the wallet and the console's preview.
 */
import type { ReactNode } from 'react';

type Block = { kind: 'paragraph'; lines: string[] } | { kind: 'bullets' | 'numbers'; items: string[] };

const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBER = /^\s*\d+[.、]\s*(.*)$/;

export function parseArticle(body: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of body.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      const bullet = BULLET.exec(line);
      const number = bullet ? null : NUMBER.exec(line);
      const last = blocks[blocks.length - 1];
      if (bullet || number) {
        const kind = bullet ? 'bullets' : 'numbers';
        const text = (bullet ?? number)![1]!;
        if (last && last.kind === kind) last.items.push(text);
        else blocks.push({ kind, items: [text] });
      } else if (last && last.kind === 'paragraph') {
        last.lines.push(line.trim());
      } else {
        blocks.push({ kind: 'paragraph', lines: [line.trim()] });
      }
    }
    // a blank line ends a paragraph or a list
    blocks.push({ kind: 'paragraph', lines: [] });
  }
  return blocks.filter((block) => block.kind !== 'paragraph' || block.lines.length > 0);
}

function inline(text: string): ReactNode[] {
  return text
    .split(/(\*\*[^*]+\*\*)/g)
    .map((part, i) =>
      part.startsWith('**') && part.endsWith('**') && part.length > 4 ? (
        <strong key={i}>{part.slice(2, -2)}</strong>
      ) : (
        part
      ),
    );
}

export function ArticleBody(props: { body: string; className?: string }) {
  return (
    <div className={props.className ?? 'help-article-body'}>
      {parseArticle(props.body).map((block, i) => {
        if (block.kind === 'paragraph') {
          return (
            <p key={i}>
              {block.lines.map((line, j) => (
                <span key={j}>
                  {j > 0 ? <br /> : null}
                  {inline(line)}
                </span>
              ))}
            </p>
          );
        }
        const items = block.items.map((item, j) => <li key={j}>{inline(item)}</li>);
        return block.kind === 'bullets' ? <ul key={i}>{items}</ul> : <ol key={i}>{items}</ol>;
      })}
    </div>
  );
}
