/**
 * Reading Markdown the way the README tests need it: its fenced code blocks,
 * its links and images, and the anchors its headings get on GitHub and JSR.
 *
 * @module
 */

/** A fenced code block: its info string's first word and its text. */
export interface CodeBlock {
  lang: string;
  code: string;
  /** The line of the opening fence, from 1. */
  line: number;
  /** The line of the closing fence. */
  end: number;
}

/**
 * The fenced code blocks of `markdown`, in order. Blocks indented under a list
 * item lose their indentation, as a reader copying them would.
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)(`{3,})\s*(\S*)/);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trim() != fence) {
      body.push(
        lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j],
      );
      j++;
    }
    if (j == lines.length) {
      throw new Error(`line ${i + 1}: unclosed code block`);
    }
    blocks.push({
      lang,
      code: body.join("\n") + "\n",
      line: i + 1,
      end: j + 1,
    });
    i = j;
  }
  return blocks;
}

/**
 * The `ts` blocks of `markdown`, each with the `text` block that follows it
 * with only blank lines between (what the code prints), if there is one.
 */
export function examples(
  markdown: string,
): (CodeBlock & { output?: string })[] {
  const lines = markdown.split("\n");
  const blocks = codeBlocks(markdown);
  return blocks.flatMap((block, i) => {
    if (block.lang != "ts") return [];
    const next = blocks[i + 1];
    const output = next?.lang == "text" &&
        lines.slice(block.end, next.line - 1).every((line) => !line.trim())
      ? next.code
      : undefined;
    return [{ ...block, output }];
  });
}

/** `markdown` without its fenced code blocks (where links are not links). */
const prose = (markdown: string): string =>
  markdown.replace(/^(\s*)(`{3,})[^\n]*\n[\s\S]*?^\s*\2\s*$/gm, "");

/** Every link and image target of `markdown`'s prose, as written. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  return [
    ...[
      ...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g),
    ]
      .map(([, target]) => target),
    ...[...text.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)]
      .map(([, target]) => target),
  ];
}

/** The anchors of `markdown`'s headings, as GitHub and JSR make them. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (
    const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)
  ) {
    anchors.add(
      heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(
        /\s/g,
        "-",
      ),
    );
  }
  return anchors;
}

/** A link target that leaves the package: a URL or a mail address. */
export const isExternal = (target: string): boolean =>
  /^[a-z][a-z0-9+.-]*:/i.test(target);

/**
 * The problems with the relative links of the Markdown file `path` in a
 * package whose files (paths from its root) are `files`, read by `read`: a
 * target that is no file of the package, or an anchor that is no heading of
 * the Markdown file it points into.
 */
export async function brokenLinks(
  path: string,
  files: readonly string[],
  read: (path: string) => Promise<string>,
): Promise<string[]> {
  const problems: string[] = [];
  const base = new URL(path, "file:///package/");
  for (const target of linkTargets(await read(path))) {
    if (isExternal(target)) continue;
    const url = new URL(target, base);
    const file = decodeURIComponent(url.pathname.slice("/package/".length));
    if (!files.includes(file)) {
      problems.push(`${path}: ${target} is not a file of the package`);
      continue;
    }
    const anchor = url.hash.slice(1);
    if (anchor && file.endsWith(".md")) {
      if (!headingAnchors(await read(file)).has(anchor)) {
        problems.push(`${path}: ${target}: ${file} has no heading #${anchor}`);
      }
    }
  }
  return problems;
}
