// Placeholder entry so the toolchain can be exercised end to end.
export const placeholder = 1;
