// Swarm proof 3: the phantom-token invariants with two gateways in front of two replicas of each service. A client
// that signs in, orders and pays through the front door never sees a JWT, only its opaque token; that opaque token
// gets nothing from orders or payments when presented to them directly from inside the stack (from a gateway task,
// which can reach orders); and the token the client holds works at either gateway.
import { describe, expect, it } from '@jest/globals';
import { JWT_PATTERN, recordClientResponses, stopRecording } from '../containers/support/edge-client.js';
import { HTTP_REQUEST } from '../containers/support/in-container-scripts.js';
import { nodeIn } from '../containers/support/stack-state.js';
import { tasksOf } from './support/swarm-stack.js';
import { useSwarm } from './support/use-swarm.js';

const swarm = useSwarm();

describe('phantom tokens on Swarm', () => {
  it('shows the client no JWT but its own ID token in any answer of a whole sign-in, order and payment through both gateways', async () => {
    const { client, gateways } = swarm();
    const seen = recordClientResponses();
    const { accessToken: opaque, idToken } = await client.signIn('alice');
    try {
      const flow = await client.orderAndPay(opaque);
      expect([flow.created.status, flow.read?.status, flow.paid?.status]).toEqual([201, 200, 200]);
      for (const gateway of gateways)
        expect((await gateway.client.call('GET', '/api/orders', opaque)).status).toBe(200);
    } finally {
      stopRecording();
    }
    expect(opaque).not.toMatch(JWT_PATTERN);
    expect(seen.length).toBeGreaterThan(8);
    // The ID token is the client's own (OpenID Connect); any other JWT would be an internal token leaking out.
    const leaking = seen.flatMap((response) =>
      [...`${response.headers}\n${response.body}`.matchAll(JWT_PATTERN)]
        .filter(([jwt]) => jwt !== idToken)
        .map(() => `${String(response.status)} ${response.url}`),
    );
    expect(idToken).toMatch(JWT_PATTERN);
    expect(leaking).toEqual([]);
  });

  it('gets nothing for the opaque token from orders and payments replicas, asked directly from inside the stack', async () => {
    const { client } = swarm();
    const opaque = (await client.signIn('alice')).accessToken;
    const [gateway] = await tasksOf('gateway');
    const [orders] = await tasksOf('orders');
    const [payments] = await tasksOf('payments');
    if (gateway === undefined || orders === undefined || payments === undefined)
      throw new Error('a task is missing');
    const ordersUrl = `http://orders:${String(orders.port)}/orders`;
    const paymentsUrl = `http://payments:${String(payments.port)}/charges`;
    const attempts = [
      // From a gateway task (on orders' network): every orders replica behind its name.
      { from: gateway, url: ordersUrl },
      { from: gateway, url: ordersUrl },
      // From an orders task (on payments' network): every payments replica behind its name.
      { from: orders, url: paymentsUrl },
      { from: orders, url: paymentsUrl },
    ];
    for (const { from, url } of attempts) {
      const answer = await nodeIn<{ status: number; body: string }>(from, HTTP_REQUEST, {
        url,
        method: url.endsWith('/charges') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${opaque}`, 'content-type': 'application/json' },
        bodyBase64: url.endsWith('/charges') ? Buffer.from('{}').toString('base64') : undefined,
      });
      expect({ url, status: answer.status }).toEqual({ url, status: 401 });
    }
  });
});
