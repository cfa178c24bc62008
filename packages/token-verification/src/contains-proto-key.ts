// Finds `__proto__` keys anywhere in parsed JSON. JSON.parse makes them harmless own properties, but any
// later Object.assign or naive merge by a consumer would turn them into prototype pollution; no honest
// issuer sends one, so tokens carrying them are refused.

export function containsProtoKey(root: unknown): boolean {
  // Iterative, so a deeply nested (but short) header cannot exhaust the call stack.
  const pending: unknown[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return true;
    pending.push(...Object.values(value as Record<string, unknown>));
  }
  return false;
}
