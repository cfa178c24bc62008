// Placeholder until the container suite lands: jest needs the file the config names.
// eslint-disable-next-line no-restricted-syntax -- jest loads globalSetup through its default export
export default async function globalSetup(): Promise<void> {}
