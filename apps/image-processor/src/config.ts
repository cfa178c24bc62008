// Reads the image processor's environment once: only the variables the topology decides. There is deliberately
// nothing secret to configure: the sandbox holds no key, password or client credential, and the topology gives it
// one upstream, the gateway, for the signing keys.
import { parseServiceConfig } from '@airlock/service-kit';
import type { Env, ServiceBaseConfig } from '@airlock/service-kit';

import { service } from './service.js';

export type ImageProcessorConfig = ServiceBaseConfig;

export function parseImageProcessorConfig(env: Env): ImageProcessorConfig {
  return parseServiceConfig({ service: service.name, variables: {}, build: (base) => base }, env);
}
