// The contracts each service declares next to its routes, by the service's name as the topology spells it.
// A service whose routes reach the edge and is missing here fails the build of the document (route_undescribed).
import { imageProcessorContracts } from '@airlock/image-processor/api-contract';
import { ordersContracts } from '@airlock/orders/api-contract';
import type { ServiceContracts } from '@airlock/service-kit/api-contract';
import { webContracts } from '@airlock/web/api-contract';

export const serviceContracts: readonly ServiceContracts[] = [
  ordersContracts,
  imageProcessorContracts,
  webContracts,
];
