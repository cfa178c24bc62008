// Placeholder until the container suite lands: jest needs the file the config names.
// eslint-disable-next-line no-restricted-syntax -- jest loads globalTeardown through its default export
export default async function globalTeardown(): Promise<void> {}
