// Finds `__proto__` keys anywhere in parsed JSON. JSON.parse makes them harmless own properties, but any
// later Object.assign or naive merge by a consumer would turn them into prototype pollution; no honest
// issuer sends one, so tokens carrying them are refused.

export function containsProtoKey(root: unknown): boolean {
  // Iterative, so a deeply nested (but short) header cannot exhaust the call stack.
  if (typeof root !== 'object' || root === null) return false;
  const pending: object[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (Object.hasOwn(value, '__proto__')) return true;
    for (const member of Object.values(value) as unknown[]) {
      if (typeof member === 'object' && member !== null) pending.push(member);
    }
  }
  return false;
}
