// Replaces the text between a pair of markers in a document, so generated parts of hand-written docs
// can be regenerated and checked for drift. The formatter leaves generated text alone.

export function replaceGeneratedSection(document: string, name: string, content: string): string {
  const begin = `<!-- generated:${name}:begin (do not edit; regenerate with \`pnpm generate\`) -->`;
  const end = `<!-- generated:${name}:end -->`;
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  if (start === -1 || stop === -1 || stop < start) {
    throw new Error(`document has no section "${name}": add the lines\n${begin}\n${end}`);
  }
  return [
    document.slice(0, start + begin.length),
    '<!-- prettier-ignore-start -->',
    content,
    '<!-- prettier-ignore-end -->',
    document.slice(stop),
  ].join('\n');
}
