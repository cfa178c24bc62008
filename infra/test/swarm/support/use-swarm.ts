// What every Swarm proof starts from: the deployed stack's gateways, the front door in front of them, and clients
// that sign in and call as a user would (the container suite's EdgeClient), through the front door or one gateway.
import { afterAll, beforeAll } from '@jest/globals';
import { EdgeClient } from '../../containers/support/edge-client.js';
import { openFrontDoor, frontDoorPort, type FrontDoor } from './front-door.js';
import { demoPassword, gatewayOrigins } from './swarm-stack.js';

export interface SwarmProofContext {
  readonly password: string;
  readonly frontDoor: FrontDoor;
  /** Through the front door: each connection to the next gateway. */
  readonly client: EdgeClient;
  /** One client per gateway task, for calls to it directly; sign in with `client` (the issuer is the front door). */
  readonly gateways: readonly { readonly origin: string; readonly client: EdgeClient }[];
}

export function useSwarm(): () => SwarmProofContext {
  let context: SwarmProofContext | undefined;
  beforeAll(async () => {
    const password = await demoPassword();
    const origins = await gatewayOrigins();
    const frontDoor = await openFrontDoor(frontDoorPort(), origins);
    context = {
      password,
      frontDoor,
      client: new EdgeClient({ publicOrigin: frontDoor.origin, demoPassword: password }),
      gateways: origins.map((origin) => ({
        origin,
        client: new EdgeClient({ publicOrigin: origin, demoPassword: password }),
      })),
    };
  });
  afterAll(async () => {
    await context?.frontDoor.close();
  });
  return () => {
    if (context === undefined) throw new Error('the Swarm proof context did not start');
    return context;
  };
}
