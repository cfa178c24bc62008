// Reads web's environment once: the variables the topology decides (service-kit's
// parseServiceConfig). Add the service's own variables to `variables` and to the config type.
import { parseServiceConfig } from '@airlock/service-kit';
import type { Env, ServiceBaseConfig } from '@airlock/service-kit';

import { service, topology } from './service.js';

export type WebConfig = ServiceBaseConfig;

export function parseWebConfig(env: Env): WebConfig {
  return parseServiceConfig({ service: service.name, topology, variables: {}, build: (base) => base }, env);
}
