// auth's entry in the topology: the one service that takes service-authenticated calls (token exchange,
// introspection). Its name, port and zone come from there.
import { airlockTopology, issuerServiceOf } from '@airlock/topology';

export const service = issuerServiceOf(airlockTopology);
