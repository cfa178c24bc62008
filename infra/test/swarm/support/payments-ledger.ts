// What payments recorded, read inside a payments task with its own database credential (as the service itself
// can): the exactly-once proofs count charge rows, not answers.
import { STORE_ENGINES } from '../../../src/stack.js';
import { nodeIn } from '../../containers/support/stack-state.js';
import type { SwarmTask } from './swarm-stack.js';

const COUNT_CHARGES = `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const { orderId, variable } = JSON.parse(process.argv[1]);
const { Client } = createRequire(import.meta.resolve('@airlock/service-kit/database'))('pg');
const client = new Client({ connectionString: readFileSync(process.env[variable], 'utf8').trim() });
await client.connect();
const { rows } = await client.query('SELECT COUNT(*)::int AS n FROM charges WHERE order_id = $1', [orderId]);
await client.end();
console.log(JSON.stringify({ charges: rows[0].n }));
`;

export async function chargesOf(payments: SwarmTask, orderId: string): Promise<number> {
  const { charges } = await nodeIn<{ charges: number }>(payments, COUNT_CHARGES, {
    orderId,
    variable: STORE_ENGINES.postgresql.urlFileVariable,
  });
  return charges;
}
