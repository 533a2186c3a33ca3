/**
 * What a package must not ship: a README or document whose relative links
 * lead out of the package, or text that speaks of what a user cannot see
 * (files outside the repository, the project's history, its issue numbers).
 * Used on the npm package (tests/ecosystem/npm.test.ts), on the JSR file
 * set (tests/ecosystem/jsr.test.ts) and on the repository
 * (tests/documents.test.ts).
 *
 * @module
 */

import { brokenLinks } from "./_markdown.ts";

/** Phrases that point at something outside the package, and what they are. */
const OUTSIDE: [RegExp, string][] = [
  [/\bSPEC\.md\b/, "a file outside the repository"],
  [/\.\.\/shared\/|\/work\/shared\b/, "a folder outside the repository"],
  [/\bthe\s+seed\b|\bseed\s+(?:API|README|code)\b/i, "the project's history"],
  [/\b(?:issues?|PR|pull request)\s*#?\d+/i, "an issue number"],
];

/**
 * A hash and a number, as an issue reference; not a colour (quoted, or a CSS
 * value), and not in pictures or generated files (the core's bytes as latin1
 * text).
 */
const HASH_NUMBER = /(?<!(?:[&\w/#"']|:\s*))#\d+\b/;

/**
 * The problems of a package whose files (paths from its root) are `files`,
 * read by `read`: every broken relative link or anchor of its Markdown files
 * and every phrase of {@linkcode OUTSIDE} in any file, as `file: problem`.
 */
export async function shippedProblems(
  files: readonly string[],
  read: (path: string) => Promise<string>,
): Promise<string[]> {
  const problems: string[] = [];
  if (!files.includes("README.md")) problems.push("README.md is not shipped");
  for (const file of files) {
    if (file.endsWith(".md")) {
      problems.push(...await brokenLinks(file, files, read));
    }
    const text = await read(file);
    const patterns = [...OUTSIDE];
    if (!/\.svg$|\.generated\./.test(file)) {
      patterns.push([HASH_NUMBER, "an issue number"]);
    }
    for (const [pattern, what] of patterns) {
      const found = text.match(pattern);
      if (found) problems.push(`${file}: "${found[0]}" speaks of ${what}`);
    }
  }
  return problems;
}
