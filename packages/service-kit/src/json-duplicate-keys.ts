// Finds a key named twice in one JSON object. JSON.parse keeps the last value silently, while other parsers on
// the way (a proxy, a log pipeline, a signature check) may keep the first: two readers, two meanings. Runs on
// text JSON.parse has already accepted, so it only tracks structure; one pass, linear in the input.

interface OpenObject {
  readonly keys: Set<string>;
  expectingKey: boolean;
}

/** True when some object in the (valid) JSON text names the same key twice, after unescaping. */
export function hasDuplicateJsonKey(text: string): boolean {
  // One entry per open container: a Set of keys for an object, undefined for an array.
  const open: (OpenObject | undefined)[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '{') {
      open.push({ keys: new Set(), expectingKey: true });
    } else if (char === '[') {
      open.push(undefined);
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      const top = open.at(-1);
      if (top !== undefined) top.expectingKey = true;
    } else if (char === '"') {
      const end = endOfString(text, index);
      const top = open.at(-1);
      if (top?.expectingKey === true) {
        // Decoded, so that "a" and "\u0061" are the same key, as they are to JSON.parse.
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (top.keys.has(key)) return true;
        top.keys.add(key);
        top.expectingKey = false;
      }
      index = end;
    }
  }
  return false;
}

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index;
}
