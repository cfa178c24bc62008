// The topology web lives in: Airlock's (packages/topology/src/airlock-topology.ts), where it is declared.
export { airlockTopology as topology } from '@airlock/topology';
